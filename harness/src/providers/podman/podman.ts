import { runTool, runToolOk, type ToolResult } from '../../host/run-tool.ts';

const installHint = 'apt-get install podman runc (Debian), then run as root';

export function podman(
  args: string[],
  options: { timeoutMs?: number; input?: string } = {},
): Promise<ToolResult> {
  return runTool('podman', args, { ...options, installHint });
}

export function podmanOk(args: string[], options: { timeoutMs?: number; what?: string; hint?: string } = {}) {
  return runToolOk('podman', args, { ...options, installHint });
}

// Ids or names printed one per line by `podman ... -q` / `--format`.
export async function podmanList(args: string[]): Promise<string[]> {
  const out = await podmanOk(args);
  return out
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}
