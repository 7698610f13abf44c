#!/bin/bash
# One Kafka node of the compose board (apache/kafka image; KRaft, each node a controller
# and a broker): clients and brokers over TLS with SASL/SCRAM-SHA-512, controllers over
# mutual TLS (the brokers' certificate, CN=broker), ACLs by the StandardAuthorizer with
# nothing allowed that no ACL allows. Formats its storage on first start, with the
# operator's SCRAM credential; kafka-init (kafka_init.py) then adds the topics and the
# services' principals. From compose.yaml: NODE_ID, CLUSTER_ID, KAFKA_ADMIN_PASSWORD.
set -euo pipefail
: "${NODE_ID:?}" "${CLUSTER_ID:?}" "${KAFKA_ADMIN_PASSWORD:?}"
scram="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"${KAFKA_ADMIN_PASSWORD}\";"

cat > /tmp/server.properties <<PROPERTIES
process.roles=broker,controller
node.id=${NODE_ID}
controller.quorum.voters=1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093
listeners=SASL_SSL://:9092,CONTROLLER://:9093
advertised.listeners=SASL_SSL://kafka-${NODE_ID}:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}
ssl.keystore.type=PEM
ssl.keystore.location=/etc/kafka/tls/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/tls/ca.pem
listener.name.controller.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+),.*$/\$1/,DEFAULT
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:broker;User:admin
log.dirs=/var/lib/kafka/data
auto.create.topics.enable=false
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
PROPERTIES

# What the health check signs in with (compose.yaml).
cat > /tmp/admin.properties <<PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=${scram}
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/tls/ca.pem
PROPERTIES

/opt/kafka/bin/kafka-storage.sh format --config /tmp/server.properties \
    --cluster-id "$CLUSTER_ID" --ignore-formatted \
    --add-scram "SCRAM-SHA-512=[name=admin,password=${KAFKA_ADMIN_PASSWORD}]"
exec /opt/kafka/bin/kafka-server-start.sh /tmp/server.properties
