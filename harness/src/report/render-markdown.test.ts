import { describe, expect, it } from 'vitest';
import { MAX_NOTE_LENGTH, renderMarkdown } from './render-markdown.ts';
import { REPORT_MARKER } from './status-labels.ts';
import { loadFixtureReport } from './test/pipeline-fixture.ts';

describe('renderMarkdown', () => {
  it('starts with the hidden marker that makes the comment sticky', async () => {
    const md = renderMarkdown(await loadFixtureReport());
    expect(md.startsWith(`${REPORT_MARKER}\n`)).toBe(true);
  });

  it('lists cells needing attention first, by axes, with first failure, links and a rerun command', async () => {
    const md = renderMarkdown(await loadFixtureReport(), {
      htmlUrl: 'https://gitlab.example.com/x/matrix.html',
    });
    expect(md).toContain('### kvmatrix: ❌ 6 of 36 cells failing');
    expect(md).toContain(
      '| os | kubernetes | runtime | network | layout | scenario | result | duration | first failure |',
    );
    const row = md
      .split('\n')
      .find((l) => l.includes('`npx kvmatrix run ubuntu-24.04-1.34.4-containerd-cilium-ha-3cp-deploy`'));
    expect(row).toContain('| ubuntu-24.04 | 1.34.4 | containerd | cilium | ha-3cp | deploy | ❌ failed |');
    expect(row).toContain('**deploy › pod-network**: pod kvmatrix-probe-7d9 on node-2 cannot reach');
    expect(row).toMatch(/\[log\]\(https:\/\/gitlab\.example\.com\/infra\/kubernetes-deploy\/-\/jobs\/\d+\)/);
    expect(md).toContain('❔ missing');
    expect(md).toContain('🔀 flaky (2 attempts)');
    expect(md).toContain('🧊 quarantined ([issue](https://gitlab.example.com/infra/kvmatrix/-/issues/41))');
    expect(md).toContain('<details><summary>27 passed cells</summary>');
    expect(md).toContain('[Open the matrix report](https://gitlab.example.com/x/matrix.html)');
    // Failed rows come before the folded passed table.
    expect(md.indexOf('❌ failed |')).toBeLessThan(md.indexOf('<details>'));
  });

  it('keeps a reason with pipes and markup inside its table cell', async () => {
    const report = await loadFixtureReport();
    const cell = report.cells.find((c) => c.status === 'failed');
    if (!cell?.firstFailure) throw new Error('fixture has no failed cell');
    cell.firstFailure.reason = 'grep a|b <script>';
    const md = renderMarkdown(report);
    expect(md).toContain('grep a\\|b &lt;script&gt;');
  });
});

describe('renderMarkdown for a very large matrix', () => {
  it('stays under the length GitLab accepts for a note', async () => {
    const report = await loadFixtureReport();
    const many = Array.from({ length: 3000 }, (_, i) =>
      report.cells.map((c) => ({ ...c, name: `${c.name}-${i}` })),
    ).flat();
    const md = renderMarkdown({ ...report, cells: many });
    expect(md.length).toBeLessThan(MAX_NOTE_LENGTH);
    expect(md).toMatch(/… and \d+ more cells needing attention: see the matrix report\./);
  });
});
