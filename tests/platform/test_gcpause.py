"""Pausing the cyclic collector for one large unit of work."""

from __future__ import annotations

import gc
import threading

import pytest

from plumbing.gcpause import paused_gc


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_off_inside_and_on_again_after():
    with paused_gc():
        assert not gc.isenabled()

    assert gc.isenabled()


def test_it_comes_back_on_after_an_error():
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")

    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()

    with paused_gc():
        pass

    assert not gc.isenabled()


def test_two_threads_turn_it_on_only_when_the_last_one_is_done():
    binnen = threading.Event()
    verder = threading.Event()

    def lange_bulk() -> None:
        with paused_gc():
            binnen.set()
            verder.wait(5)

    draad = threading.Thread(target=lange_bulk)
    draad.start()
    binnen.wait(5)

    with paused_gc():
        pass
    nog_uit = not gc.isenabled()
    verder.set()
    draad.join(5)

    assert nog_uit
    assert gc.isenabled()
