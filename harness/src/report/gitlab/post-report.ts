import pLimit from 'p-limit';
import type { PipelineReport } from '../model.ts';
import { REPORT_MARKER } from '../status-labels.ts';
import { describeCommitStatus } from './commit-statuses.ts';
import type { GitLabClient } from './gitlab-client.ts';
import { GitLabApiError } from './gitlab-error.ts';

interface NoteSchema {
  id: number;
  body: string;
  system: boolean;
}

export interface NoteResult {
  action: 'created' | 'updated';
  noteId: number;
}

// Finds the one kvmatrix comment of the merge request by its hidden marker and edits it; creates
// it only when there is none. Safe to run again: a second run edits, never duplicates.
export async function upsertReportNote(client: GitLabClient, body: string): Promise<NoteResult> {
  const { api, settings } = client;
  const iid = settings.mergeRequestIid;
  if (!iid) throw new Error('upsertReportNote needs CI_MERGE_REQUEST_IID');
  if (!body.includes(REPORT_MARKER)) throw new Error('the report body lacks the sticky marker');
  const notes = (await api.MergeRequestNotes.all(settings.projectId, Number(iid), {
    sort: 'asc',
    orderBy: 'created_at',
    perPage: 100,
  })) as unknown as NoteSchema[];
  const existing = notes.find((note) => !note.system && note.body.includes(REPORT_MARKER));
  if (existing) {
    await api.MergeRequestNotes.edit(settings.projectId, Number(iid), existing.id, { body });
    client.log(`updated the kvmatrix comment (note ${existing.id}) on merge request !${iid}`);
    return { action: 'updated', noteId: existing.id };
  }
  const created = (await api.MergeRequestNotes.create(
    settings.projectId,
    Number(iid),
    body,
  )) as unknown as NoteSchema;
  client.log(`created the kvmatrix comment (note ${created.id}) on merge request !${iid}`);
  return { action: 'created', noteId: created.id };
}

// Sets one commit status per cell (kvmatrix/<cell>) on CI_COMMIT_SHA, a few at a time.
export async function setCommitStatuses(client: GitLabClient, report: PipelineReport, reportUrl?: string) {
  const { api, settings } = client;
  const limit = pLimit(4);
  const results = await Promise.all(
    report.cells.map((cell) =>
      limit(async () => {
        const spec = describeCommitStatus(cell, reportUrl);
        try {
          await api.Commits.editStatus(settings.projectId, settings.commitSha, spec.state, {
            name: spec.name,
            description: spec.description,
            ...(spec.targetUrl ? { targetUrl: spec.targetUrl } : {}),
            ...(settings.ref ? { ref: settings.ref } : {}),
            // Attach to this pipeline: a merge-request pipeline and a branch pipeline may share the SHA.
            ...(settings.pipelineId ? { pipelineId: Number(settings.pipelineId) } : {}),
          });
          return spec;
        } catch (error) {
          // GitLab refuses to move a status to the state it already has; that is not a failure.
          if (
            error instanceof GitLabApiError &&
            error.status === 400 &&
            /Cannot transition status/i.test(error.message)
          ) {
            client.log(`commit status ${spec.name} already ${spec.state}`);
            return spec;
          }
          throw error;
        }
      }),
    ),
  );
  client.log(`set ${results.length} commit statuses on ${settings.commitSha.slice(0, 8)}`);
  return results;
}

export interface PostOptions {
  markdown: string;
  reportUrl?: string;
  statuses?: boolean;
}

export interface PostResult {
  note?: NoteResult;
  statuses: number;
}

export async function postReport(
  client: GitLabClient,
  report: PipelineReport,
  options: PostOptions,
): Promise<PostResult> {
  let note: NoteResult | undefined;
  if (client.settings.mergeRequestIid) {
    note = await upsertReportNote(client, options.markdown);
  } else {
    client.log(
      'no CI_MERGE_REQUEST_IID (not a merge-request pipeline): no comment posted, commit statuses only',
    );
  }
  const statuses =
    options.statuses === false ? [] : await setCommitStatuses(client, report, options.reportUrl);
  return { ...(note ? { note } : {}), statuses: statuses.length };
}
