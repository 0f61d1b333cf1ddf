/**
 * The messages of Release Train's bus: {@link dev.releasetrain.protocol.ReleaseEvent} (every event
 * and command), {@link dev.releasetrain.protocol.Topics}, and the CloudEvents binary-mode codec.
 * Plain Java and Jackson only, so any service, tool or test can speak the protocol.
 */
package dev.releasetrain.protocol;
