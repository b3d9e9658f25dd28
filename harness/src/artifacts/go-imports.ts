// Reads the import paths of a Go source file (single and block forms, named, blank and dot
// imports), for the build module of a test binary: `go mod tidy` in a module that only requires
// k8s.io/kubernetes does not look at the tests of its packages, so the tests' imports are added to
// tools.go explicitly. Pure: text in, text out.
export function parseGoImports(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const found: string[] = [];
  const single = /^\s*import\s+(?:[\w.]+\s+)?"([^"]+)"/gm;
  for (const match of withoutComments.matchAll(single)) if (match[1]) found.push(match[1]);
  const block = /^\s*import\s*\(([\s\S]*?)\)/gm;
  for (const match of withoutComments.matchAll(block)) {
    for (const spec of (match[1] ?? '').matchAll(/"([^"]+)"/g)) if (spec[1]) found.push(spec[1]);
  }
  return [...new Set(found)];
}

// Non-standard-library imports: the first path element of a module path contains a dot.
export function isModuleImport(importPath: string): boolean {
  return (importPath.split('/')[0] ?? '').includes('.');
}
