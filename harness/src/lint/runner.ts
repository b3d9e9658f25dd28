import path from 'node:path';
import type { LintConfigs } from './configs.ts';
import type { LintTarget } from './discover.ts';
import type { Finding, LintToolId } from './finding.ts';

// An executable a runner needs, looked up before any tool starts so that a missing one fails
// fast with a hint instead of half-way through.
export interface ToolRequirement {
  name: string;
  // `path`: the PATH of the lint environment (.venv first); `node_modules`: the linted
  // repository's node_modules/.bin or that of a folder above it.
  lookup: 'path' | 'node_modules';
  hint: string;
}

export interface RunnerContext {
  target: LintTarget;
  configs: LintConfigs;
  env: NodeJS.ProcessEnv;
  // Absolute paths of the resolved requirements, by name.
  executables: Map<string, string>;
  // Every subprocess goes through this limiter, shared by all tools (bounded by the cores).
  schedule: <T>(task: () => Promise<T>) => Promise<T>;
}

export interface RunnerResult {
  findings: Finding[];
  checked: string[];
}

// One lint tool: when it applies, what it needs, and how to run it and read its output.
// `run` throws LintToolError when the tool crashes or prints something it cannot parse.
export interface LintRunner {
  id: LintToolId;
  skipReason(target: LintTarget): string | undefined;
  requirements(target: LintTarget): ToolRequirement[];
  run(context: RunnerContext): Promise<RunnerResult>;
}

export const SETUP_HINT =
  'run `npm run setup` (it installs the pinned lint tools into .venv and Debian packages)';

// Splits long file lists so that no command line grows past the system's limit, and so that the
// chunks can run side by side.
export function chunk<T>(items: T[], size = 200): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

// Makes a tool-reported path relative to the linted root, with forward slashes; a path outside
// the root stays absolute.
export function relativeToRoot(root: string, file: string): string {
  const normalized = file.replaceAll('\\', '/');
  if (!path.posix.isAbsolute(normalized)) return path.posix.normalize(normalized);
  const relative = path.posix.relative(root, normalized);
  return relative.startsWith('../') ? normalized : relative;
}
