// Generates the small Go module that builds a program whose own go.mod cannot be used from the
// module proxy as it is. k8s.io/kubernetes replaces its staging modules with `./staging/...`
// and etcd's modules replace each other with `../api` etc.: replace directives only count in the
// main module, so the build module repeats them, pointing each at the published version.
// Pure: text in, text out.

export interface GoModule {
  module: string;
  version: string;
}

export interface ParsedGoMod {
  requires: Map<string, string>;
  // Replacements of a module path (any version) by a local directory.
  localReplaces: string[];
  // Replacements by another module version, which the build module must repeat to get the same
  // dependency graph as the upstream build.
  moduleReplaces: Array<{ from: string; to: string; version: string }>;
  // The `go` directive and `godebug` settings, which decide language and GODEBUG defaults.
  goDirective: string | undefined;
  godebug: string[];
}

function stripComment(line: string): string {
  const at = line.indexOf('//');
  return (at >= 0 ? line.slice(0, at) : line).trim();
}

// Reads the require and replace directives of a go.mod file (block and single-line forms).
export function parseGoMod(text: string): ParsedGoMod {
  const parsed: ParsedGoMod = {
    requires: new Map(),
    localReplaces: [],
    moduleReplaces: [],
    goDirective: undefined,
    godebug: [],
  };
  let block: 'require' | 'replace' | undefined;
  for (const raw of text.split('\n')) {
    let line = stripComment(raw);
    if (!line) continue;
    if (block && line === ')') {
      block = undefined;
      continue;
    }
    if (!block) {
      const directive = /^(go|godebug)\s+(\S+)$/.exec(line);
      if (directive?.[2]) {
        if (directive[1] === 'go') parsed.goDirective = directive[2];
        else parsed.godebug.push(directive[2]);
        continue;
      }
      const opened = /^(require|replace)\s*\($/.exec(line);
      if (opened) {
        block = opened[1] as 'require' | 'replace';
        continue;
      }
      const single = /^(require|replace)\s+(.*)$/.exec(line);
      if (!single?.[2]) continue;
      line = single[2];
      addDirective(parsed, single[1] as 'require' | 'replace', line);
      continue;
    }
    addDirective(parsed, block, line);
  }
  return parsed;
}

function addDirective(parsed: ParsedGoMod, kind: 'require' | 'replace', line: string): void {
  if (kind === 'require') {
    const [path, version] = line.split(/\s+/);
    if (path && version) parsed.requires.set(path, version);
    return;
  }
  const [left, right] = line.split('=>').map((side) => side.trim().split(/\s+/));
  const from = left?.[0];
  const to = right?.[0];
  if (!from || !to) return;
  if (to.startsWith('./') || to.startsWith('../') || to.startsWith('/')) {
    if (!to.includes('FORBIDDEN_DEPENDENCY')) parsed.localReplaces.push(from);
    return;
  }
  const version = right?.[1];
  if (version) parsed.moduleReplaces.push({ from, to, version });
}

// The version a locally replaced module is published at. Kubernetes requires its staging
// modules at the placeholder v0.0.0 and publishes them as v0.<minor>.<patch> of v1.<minor>.<patch>.
export function publishedVersion(root: GoModule, required: string | undefined): string {
  if (required && required !== 'v0.0.0') return required;
  const k8s = /^v1\.(\d+)\.(\d+)$/.exec(root.version);
  if (k8s) return `v0.${k8s[1]}.${k8s[2]}`;
  return root.version;
}

export interface BuildModuleInput {
  name: string;
  roots: GoModule[];
  // The go.mod text of each root, in the same order.
  rootGoMods: string[];
  packages: string[];
  // Replace directives that override what the roots' go.mod files imply: a staging module that is
  // published at the root's own version (KubeVirt's kubevirt.io/api), or a module the proxy does
  // not serve, taken from a local directory of the build module ("./third_party/..."). An empty
  // value drops the replace (one that names no valid module, and that no build needs).
  replaceOverrides?: Record<string, string>;
}

// The replace directives the build module needs; the first root wins on conflicts, overrides win
// over everything.
export function computeReplaces(input: BuildModuleInput): Map<string, string> {
  const replaces = new Map<string, string>();
  const rootPaths = new Set(input.roots.map((root) => root.module));
  input.roots.forEach((root, index) => {
    const parsed = parseGoMod(input.rootGoMods[index] ?? '');
    for (const from of parsed.localReplaces) {
      if (rootPaths.has(from) || replaces.has(from)) continue;
      replaces.set(from, `${from} ${publishedVersion(root, parsed.requires.get(from))}`);
    }
    for (const { from, to, version } of parsed.moduleReplaces) {
      if (!replaces.has(from)) replaces.set(from, `${to} ${version}`);
    }
  });
  for (const [from, to] of Object.entries(input.replaceOverrides ?? {})) {
    if (to) replaces.set(from, to);
    else replaces.delete(from);
  }
  return replaces;
}

function compareGoVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff) return diff;
  }
  return 0;
}

export function renderGoMod(input: BuildModuleInput): string {
  const parsedRoots = input.rootGoMods.map(parseGoMod);
  const goDirective =
    parsedRoots
      .map((parsed) => parsed.goDirective)
      .filter((v): v is string => v !== undefined)
      .sort(compareGoVersions)
      .at(-1) ?? '1.24';
  const godebug = parsedRoots[0]?.godebug ?? [];
  const lines = [
    `// Generated by kvmatrix (harness/src/artifacts): builds ${input.name} from the Go module proxy.`,
    `module kvmatrix.local/build/${input.name}`,
    '',
    `go ${goDirective}`,
    '',
    ...godebug.map((setting) => `godebug ${setting}`),
    ...(godebug.length ? [''] : []),
    'require (',
    ...input.roots.map((root) => `\t${root.module} ${root.version}`),
    ')',
  ];
  const replaces = computeReplaces(input);
  if (replaces.size) {
    lines.push('', 'replace (');
    for (const [from, to] of [...replaces].sort(([a], [b]) => a.localeCompare(b)))
      lines.push(`\t${from} => ${to}`);
    lines.push(')');
  }
  return `${lines.join('\n')}\n`;
}

// A file that imports every main package, so `go mod tidy` keeps what they need.
export function renderToolsGo(packages: string[]): string {
  return [
    '//go:build tools',
    '',
    '// Generated by kvmatrix: pins the main packages this module builds.',
    'package tools',
    '',
    'import (',
    ...packages.map((pkg) => `\t_ "${pkg}"`),
    ')',
    '',
  ].join('\n');
}
