/**
 * The command line (picocli): <code>allocate</code>, <code>serve</code>, the queue client commands,
 * <code>problems</code>, and their table and JSON output.
 */
package io.tranche.server.cli;
