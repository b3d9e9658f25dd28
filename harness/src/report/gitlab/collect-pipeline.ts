import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import type { GitLabClient } from './gitlab-client.ts';
import { GitLabApiError } from './gitlab-error.ts';

interface BridgeSchema {
  id: number;
  name: string;
  downstream_pipeline: { id: number; web_url?: string } | null;
}

interface JobSchema {
  id: number;
  name: string;
  status: string;
  web_url: string;
  artifacts?: Array<{ file_type: string }>;
}

export interface CollectOptions {
  pipelineId: string;
  // Where result.json sits inside a cell job's artifacts archive.
  artifactPath: string;
  outDir: string;
  // How deep to follow trigger jobs (a parent triggers shards, which may trigger again).
  maxDepth?: number;
}

export interface CollectResult {
  pipelines: number[];
  jobs: number;
  records: number;
  without: Array<{ job: string; url: string }>;
}

// Fetches the result record of every cell job of the child pipelines that `pipelineId`
// triggered, retried attempts included, into outDir/<job id>/result.json. A parent pipeline job
// cannot receive artifacts from child pipelines through `needs`, so the summary job reads them
// through the API with the project token, one file per job (no archive to unpack).
export async function collectChildRecords(
  client: GitLabClient,
  options: CollectOptions,
): Promise<CollectResult> {
  const { api, settings } = client;
  const project = settings.projectId;
  const pipelines: number[] = [];
  let frontier = [Number(options.pipelineId)];
  for (let depth = 0; depth < (options.maxDepth ?? 3) && frontier.length > 0; depth += 1) {
    const next: number[] = [];
    for (const id of frontier) {
      const bridges = (await api.Jobs.allPipelineBridges(project, id)) as unknown as BridgeSchema[];
      for (const bridge of bridges) if (bridge.downstream_pipeline) next.push(bridge.downstream_pipeline.id);
    }
    pipelines.push(...next);
    frontier = next;
  }
  const jobs: JobSchema[] = [];
  for (const id of pipelines) {
    const list = (await api.Jobs.all(project, {
      pipelineId: id,
      includeRetried: true,
      perPage: 100,
    })) as unknown as JobSchema[];
    jobs.push(...list);
  }
  const candidates = jobs.filter((job) => job.artifacts?.some((a) => a.file_type === 'archive'));
  const limit = pLimit(4);
  const without: CollectResult['without'] = [];
  let records = 0;
  await Promise.all(
    candidates.map((job) =>
      limit(async () => {
        let body: unknown;
        try {
          body = await api.JobArtifacts.downloadArchive(project, {
            jobId: job.id,
            artifactPath: options.artifactPath,
          });
        } catch (error) {
          if (error instanceof GitLabApiError && error.status === 404) {
            without.push({ job: job.name, url: job.web_url });
            return;
          }
          throw error;
        }
        const text =
          body instanceof Blob ? await body.text() : typeof body === 'string' ? body : JSON.stringify(body);
        const dir = path.join(options.outDir, String(job.id));
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, 'result.json'), text);
        records += 1;
      }),
    ),
  );
  client.log(
    `collected ${records} result records from ${candidates.length} jobs with artifacts in ${pipelines.length} child pipelines of pipeline ${options.pipelineId}`,
  );
  return { pipelines, jobs: jobs.length, records, without };
}
