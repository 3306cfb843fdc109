/**
 * The allocation kernel: exact integer rationing of one supply across claims in priority tiers under a named method, with caps, floors, a concentration limit and lot sizes. Struct of arrays (<code>Claims</code>), preallocated workspaces, no allocation and no floating point on the award path. Depends on Agrona only; knows nothing of the server.
 */
package io.tranche.kernel;
