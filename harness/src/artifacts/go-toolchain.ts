import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { InfrastructureError, KvError, ToolMissingError } from '../contracts/errors.ts';

// Runs the Go toolchain for artifact builds and turns its failures into errors a user can act on:
// Go missing, module proxy unreachable, a module version the proxy does not have, disk full.

const fallbackGo = '/usr/local/go/bin/go';

export interface GoToolchain {
  go: string;
  version: string;
}

// A module version the module proxy does not serve; `available` lists what it does serve.
export class ModuleVersionMissingError extends KvError {
  readonly module: string;
  readonly available: string[];

  constructor(module: string, version: string, available: string[]) {
    const list = available.length ? available.join(' ') : '(none listed)';
    super('NOT_FOUND', `the Go module proxy does not serve ${module}@${version}`, {
      hint: `versions it lists for ${module}: ${list}`,
    });
    this.module = module;
    this.available = available;
  }
}

// Finds `go` on PATH or in /usr/local/go and checks that it runs.
export async function findGoToolchain(
  env: NodeJS.ProcessEnv = process.env,
  fallback: string = fallbackGo,
): Promise<GoToolchain> {
  const candidates = ['go', ...(existsSync(fallback) ? [fallback] : [])];
  for (const go of candidates) {
    const result = await execa(go, ['env', 'GOVERSION'], { env, reject: false });
    if (result.exitCode === 0 && typeof result.stdout === 'string' && result.stdout.startsWith('go')) {
      return { go, version: result.stdout.trim() };
    }
  }
  throw new ToolMissingError(
    'go (the Go toolchain, >= 1.24)',
    "install Go 1.24 or newer (https://go.dev/dl or /usr/local/go) and put it on PATH; Debian 12's golang (1.19) is too old",
  );
}

// The environment every artifact build runs Go with: static binaries, no VCS stamping, no
// toolchain switching behind the user's back, modules resolved from the proxy.
export function goBuildEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    CGO_ENABLED: '0',
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-buildvcs=false',
    GOWORK: 'off',
  };
}

const unreachablePatterns = [
  /dial tcp/,
  /no such host/,
  /connection refused/,
  /i\/o timeout/,
  /TLS handshake timeout/,
  /proxyconnect/,
  /network is unreachable/,
  /server misbehaving/,
];
const missingVersionPattern =
  /(?:go: |\s|")([\w.\-~/]+)@(v[\w.\-+]+): (?:reading [^\n]*: (?:403|404|410)|invalid version|unknown revision)/;

// Classifies the output of a failed Go command. Returns undefined when it is none of the known
// environmental failures (then it is a build failure of the module itself).
export function classifyGoFailure(
  output: string,
): KvError | { missing: { module: string; version: string } } | undefined {
  if (/no space left on device/.test(output)) {
    return new InfrastructureError('the disk is full while building with Go', {
      hint: 'free space under ~/.cache (go clean -cache frees the Go build cache) or point KVMATRIX_CACHE_DIR and GOCACHE elsewhere',
    });
  }
  const missing = missingVersionPattern.exec(output);
  if (missing?.[1] && missing[2]) return { missing: { module: missing[1], version: missing[2] } };
  if (unreachablePatterns.some((pattern) => pattern.test(output))) {
    const line = output.split('\n').find((l) => unreachablePatterns.some((p) => p.test(l))) ?? '';
    return new InfrastructureError(`the Go module proxy is unreachable: ${line.trim()}`, {
      hint: 'check network access to the module proxy (go env GOPROXY) or set GOPROXY to a reachable mirror',
    });
  }
  return undefined;
}

// Lists the versions of a module the proxy serves (empty when it cannot tell).
export async function listModuleVersions(toolchain: GoToolchain, module: string): Promise<string[]> {
  const result = await execa(toolchain.go, ['list', '-m', '-versions', module], {
    env: goBuildEnv(),
    reject: false,
    cwd: '/',
    timeout: 120_000,
  });
  if (result.exitCode !== 0) return [];
  return String(result.stdout).trim().split(/\s+/).slice(1);
}

export interface RunGoOptions {
  cwd: string;
  // Called for every line Go writes to stderr (progress, `go: downloading`, package names with -v).
  onLine?: (line: string) => void;
  nice?: boolean;
  env?: Record<string, string>;
  // Runs the command some other way (for example chrooted into a Debian build root for cgo):
  // given the program and arguments, returns the ones to execute instead.
  wrap?: (file: string, args: string[]) => [string, string[]];
}

// Runs one Go command; throws a classified KvError on failure.
export async function runGo(toolchain: GoToolchain, args: string[], options: RunGoOptions): Promise<string> {
  const plain: [string, string[]] = options.nice
    ? ['nice', ['-n', '10', toolchain.go, ...args]]
    : [toolchain.go, args];
  const [file, argv] = options.wrap ? options.wrap(...plain) : plain;
  const env = { ...goBuildEnv(), ...options.env };
  const subprocess = execa(file, argv, { cwd: options.cwd, env, reject: false, all: true });
  const tail: string[] = [];
  if (subprocess.stderr) {
    subprocess.stderr.setEncoding('utf8');
    let partial = '';
    subprocess.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 200) tail.shift();
        options.onLine?.(line);
      }
    });
  }
  const result = await subprocess;
  if (result.exitCode === 0) return String(result.stdout);
  const output = String(result.all ?? tail.join('\n'));
  const classified = classifyGoFailure(output);
  if (classified && 'missing' in classified) {
    const { module, version } = classified.missing;
    throw new ModuleVersionMissingError(module, version, await listModuleVersions(toolchain, module));
  }
  if (classified) throw classified;
  // Without the package names `go build -v` lists, so the compiler's message is what remains.
  const last = output
    .trim()
    .split('\n')
    .filter((line) => !/^[\w.\-~/]+$/.test(line))
    .slice(-25)
    .join('\n');
  throw new KvError('TOOL_FAILED', `go ${args.slice(0, 2).join(' ')} failed in ${options.cwd}:\n${last}`, {
    hint: 'the build module is kept in that directory; run the same go command there to investigate',
  });
}
