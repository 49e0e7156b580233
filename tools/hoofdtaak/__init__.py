"""The main job (`./demo`): a school year through the whole chain, checked.

- `uitvoering.voer_uit`: the run (stack, sending, waiting, figures, checks).
- `invoer` and `sis`: what is sent to registratie, and through which SIS format.
- `wachten`: when the chain is quiet; `besluiten`: the decisions the demo takes.
- `verzamelen`, `controles`: the figures and the cross-service checks.
- `reconciliatie`: duties recomputed from registratie's store, compared with
  analyse and ketenkoppeling (also a command).
"""
