// The bounds on a matrix file that keep the loader within seconds and a few hundred MB whatever
// the file holds. Each is far above what a real matrix needs (the shipped one: 16 KB, depth 9,
// at most 30 keys in a mapping, no aliases); an error names the limit it hit.
export const MATRIX_LIMITS = {
  // Bytes of the file; a larger file is refused before it is read whole.
  maxBytes: 1024 * 1024,
  // Keys of one mapping.
  maxKeysPerMapping: 10_000,
  // Nesting of mappings and lists.
  maxDepth: 64,
  // Nodes that aliases add by repeating what their anchors hold ("billion laughs").
  maxAliasExpansion: 10_000,
  // Cells of the full product of axes and scenarios, unless `limits.maxCells` raises it.
  defaultMaxCells: 20_000,
  // What `limits.maxCells` may raise it to (the schema holds the same number).
  hardMaxCells: 200_000,
} as const;
