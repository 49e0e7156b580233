#!/usr/bin/env bash
# Creates the Verzuimketen topics before any service starts: the brokers refuse to
# auto-create topics, and the partition count is fixed for the life of a topic
# (a key's partition depends on it, so one pupil's events keep their order).
#
# Domain topics keep every event (retention.ms=-1): they are the audit trail.
# Dead-letter topics keep DLQ_RETENTION_MS. Running it again creates nothing; a
# topic that exists with another partition count stops it with exit status 1.
set -euo pipefail

: "${BOOTSTRAP:?}" "${PARTITIONS:?}" "${REPLICATION_FACTOR:?}" "${MIN_INSYNC_REPLICAS:?}"
: "${DOMAIN_TOPICS:?}" "${DLQ_TOPICS:?}" "${DLQ_RETENTION_MS:?}"

kafka_topics=${KAFKA_TOPICS_COMMAND:-/opt/kafka/bin/kafka-topics.sh}

create() {
  local topic=$1 retention=$2
  "$kafka_topics" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" \
    --partitions "$PARTITIONS" \
    --replication-factor "$REPLICATION_FACTOR" \
    --config "min.insync.replicas=$MIN_INSYNC_REPLICAS" \
    --config "retention.ms=$retention"
}

check_partitions() {
  local topic=$1 count
  count=$("$kafka_topics" --bootstrap-server "$BOOTSTRAP" --describe --topic "$topic" \
    | sed -n 's/.*PartitionCount:[[:space:]]*\([0-9]*\).*/\1/p' | head -n 1)
  if [[ "$count" != "$PARTITIONS" ]]; then
    echo "topic $topic has ${count:-no} partitions, expected $PARTITIONS" >&2
    exit 1
  fi
}

for topic in $DOMAIN_TOPICS; do
  create "$topic" -1
done
for topic in $DLQ_TOPICS; do
  create "$topic" "$DLQ_RETENTION_MS"
done
for topic in $DOMAIN_TOPICS $DLQ_TOPICS; do
  check_partitions "$topic"
done
echo "topics ready: $DOMAIN_TOPICS $DLQ_TOPICS"
