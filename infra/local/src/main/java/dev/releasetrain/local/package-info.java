/**
 * The embedded stack for local runs and tests: a real Kafka broker in KRaft mode ({@link dev.releasetrain.local.EmbeddedKafka}),
 * a real PostgreSQL set up for logical decoding ({@link dev.releasetrain.local.LocalPostgres}), the choice between
 * them and configured external ones ({@link dev.releasetrain.local.LocalInfra}), and Quarkus test resources; for the
 * tests of Kafka security, a broker that accepts only SASL/PLAIN clients ({@link dev.releasetrain.local.SaslKafka}).
 */
package dev.releasetrain.local;
