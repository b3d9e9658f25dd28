import { describe, expect, it } from 'vitest';
import { GinkgoProgress } from './ginkgo-progress.ts';

describe("following ginkgo's output", () => {
  it('counts finished specs against the selection, across chunk boundaries', () => {
    const progress = new GinkgoProgress();
    progress.read(
      'Running Suite: Kubernetes e2e suite\nWill run 394 of 7144 specs\nRunning in parallel across 6 processes\n',
    );
    progress.read('••');
    progress.read(
      '•\n------------------------------\n• [FAILED] [30.1 seconds]\n[sig-network] Services ...\n',
    );
    expect(progress.selected).toBe(394);
    expect(progress.done).toBe(4);
    expect(progress.failed).toBe(1);
    expect(progress.describe('conformance', 125_000)).toBe(
      'conformance: 4 of 394 specs finished, 1 failure report(s) after 2 min',
    );
  });

  it('says nothing of a total it has not seen', () => {
    const progress = new GinkgoProgress();
    progress.read('•');
    expect(progress.describe('e2e', 0)).toBe('e2e: 1 specs finished after 0 min');
  });
});
