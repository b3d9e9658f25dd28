import type { ResolvedCell } from './model.ts';

// The text `kvmatrix matrix show` prints: everything a person needs to reproduce the cell.
export function formatResolvedCell(cell: ResolvedCell, scenarioDescription?: string): string {
  const lines: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  lines.push(`cell        ${cell.name}`);
  lines.push(`scenario    ${cell.scenario}${scenarioDescription ? `: ${scenarioDescription}` : ''}`);
  lines.push('axes');
  const axisWidth = Math.max(...Object.keys(cell.axisValues).map((k) => k.length)) + 2;
  const valueWidth = Math.max(...Object.values(cell.axisValues).map((v) => v.id.length)) + 2;
  for (const [axis, value] of Object.entries(cell.axisValues)) {
    const vars = Object.entries(value.vars).map(([k, v]) => `${k}=${formatValue(v)}`);
    lines.push(`  ${pad(axis, axisWidth)}${pad(value.id, valueWidth)}${vars.join(' ')}`.trimEnd());
  }
  const m = cell.machine;
  lines.push(`machines    ${cell.layout.id} (${m.cpus} CPU, ${m.memoryMiB} MiB, ${m.diskGiB} GiB each)`);
  const nameWidth = Math.max(...cell.layout.nodes.map((n) => n.name.length)) + 2;
  for (const node of cell.layout.nodes) {
    const joinedBy = cell.steps.find((s) => s.nodes?.includes(node.name))?.id;
    const note = node.heldBack ? `  (held back; joins at step ${joinedBy})` : '';
    lines.push(`  ${pad(node.name, nameWidth)}${node.roles.join(', ')}${note}`);
  }
  lines.push('steps');
  const idWidth = Math.max(...cell.steps.map((s) => s.id.length)) + 2;
  const bookWidth = Math.max(...cell.steps.map((s) => s.playbook.length)) + 2;
  cell.steps.forEach((step, i) => {
    const parts = [`${i + 1}. ${pad(step.id, idWidth)}${pad(step.playbook, bookWidth)}${step.kind}`];
    if (step.nodes) parts.push(`nodes: ${step.nodes.join(', ')}`);
    if (step.vars)
      parts.push(
        `vars: ${Object.entries(step.vars)
          .map(([k, v]) => `${k}=${formatValue(v)}`)
          .join(' ')}`,
      );
    parts.push(`timeout ${step.timeoutMinutes} min`);
    lines.push(`  ${parts.join('; ')}`);
    lines.push(`     checks: ${step.checks.length ? step.checks.join(', ') : '(none)'}`);
  });
  lines.push(`timeout     ${cell.timeoutMinutes} min for the whole cell`);
  lines.push(`providers   ${cell.providers ? cell.providers.join(', ') || '(none)' : 'any'}`);
  const overrides = cell.overrides ? JSON.stringify(cell.overrides) : 'none';
  lines.push(`overrides   ${overrides}`);
  const q = cell.quarantine;
  lines.push(
    `quarantine  ${q ? `${q.issue}${q.reason ? ` (${q.reason})` : ''}: runs with allow_failure` : 'no'}`,
  );
  return `${lines.join('\n')}\n`;
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
