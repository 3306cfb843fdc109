/**
 * The allocation kernel: pure, exact integer computation with no I/O, no threads and no dependency
 * beyond Agrona. {@link Claims} holds one problem's claims as a struct of arrays, known by index (ids are
 * the caller's, checked through a {@link ClaimCheck}); {@link Allocator} validates a problem (every
 * violation with its claim index, field and value, through the package's {@code Validator}) and allocates
 * it under a {@link Method}, the registry that names each rule's class: the
 * framework of SEMANTICS.md (bounds in lots, floors, tiers) in {@code Allocator}, each method a
 * {@code Rule} that splits one tier (the level methods in {@code LevelMethods} on the shared
 * {@code LevelSolver}, the divisor methods in {@code DivisorMethod} and its subclasses). All rules share
 * one preallocated {@code Workspace}, so that a warm call allocates nothing. {@code Int128} and
 * {@code WideMath} hold the 128- and 256-bit arithmetic that keeps every comparison exact.
 */
package io.tranche.kernel;
