import { fileURLToPath } from 'node:url';
import { buildPipelineReport } from '../build-report.ts';
import { loadPlanFile, loadResultRecords } from '../io/load-results.ts';
import type { PipelineReport } from '../model.ts';

// The 36-cell pipeline of test/fixtures/pipeline-36 (written by make-fixture.ts).
export const fixtureDir = fileURLToPath(new URL('./fixtures/pipeline-36/', import.meta.url));
export const fixturePlan = `${fixtureDir}plan.json`;
export const fixtureResults = `${fixtureDir}results`;

export async function loadFixtureReport(): Promise<PipelineReport> {
  const { records } = await loadResultRecords([fixtureResults]);
  const plan = await loadPlanFile(fixturePlan);
  return buildPipelineReport({ records, plan, generatedAt: '2026-11-20T10:30:00.000Z' });
}
