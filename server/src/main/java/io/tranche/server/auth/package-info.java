/**
 * Who may call what: the roles, a claimant's scope of claims, the principals named by bearer tokens and client
 * certificates (one file syntax for both), and the role table that lists what each role may call (a method not
 * listed is for admins only). Nothing here knows of the transport; the gRPC interceptor applies it.
 */
package io.tranche.server.auth;
