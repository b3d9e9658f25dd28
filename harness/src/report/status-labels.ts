import type { CellStatus } from './model.ts';

// How each verdict is shown: the same words and colours in Markdown, HTML and commit statuses.
export const STATUS_LABEL: Record<CellStatus, { icon: string; text: string; colour: string; ink: string }> = {
  passed: { icon: '✅', text: 'passed', colour: '#2da44e', ink: '#ffffff' },
  failed: { icon: '❌', text: 'failed', colour: '#cf222e', ink: '#ffffff' },
  flaky: { icon: '🔀', text: 'flaky', colour: '#bf8700', ink: '#ffffff' },
  quarantined: { icon: '🧊', text: 'quarantined', colour: '#8250df', ink: '#ffffff' },
  'infra-retried': { icon: '♻️', text: 'infra-retried', colour: '#0a7ea4', ink: '#ffffff' },
  'infra-failed': { icon: '🔥', text: 'infra-failed', colour: '#bc4c00', ink: '#ffffff' },
  interrupted: { icon: '⏹️', text: 'interrupted', colour: '#57606a', ink: '#ffffff' },
  missing: { icon: '❔', text: 'missing', colour: '#d0d7de', ink: '#24292f' },
};

export const REPORT_MARKER = '<!-- kvmatrix-report -->';
