/**
 * The protobuf side of <code>Allocate</code>: the wire path that parses requests straight into the kernel's arrays, the
 * adapter between generated messages and the kernel, and explanations of awards.
 */
package io.tranche.server.allocation;
