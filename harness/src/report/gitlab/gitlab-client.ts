import { createRequesterFn } from '@gitbeaker/requester-utils';
import { Gitlab } from '@gitbeaker/rest';
import { UsageError } from '../../contracts/errors.ts';
import { createRedactor, type Redactor } from '../../host/redact.ts';
import { TOKEN_VARIABLE } from './gitlab-error.ts';
import { createRequestHandler, DEFAULT_RETRY_POLICY, type RetryPolicy } from './request-handler.ts';

// Where and as whom kvmatrix talks to GitLab, read from the job's predefined variables and the
// masked project access token (GitLab's CI_JOB_TOKEN cannot write merge-request notes).
export interface GitLabSettings {
  apiUrl: string;
  projectId: string;
  commitSha: string;
  mergeRequestIid?: string;
  ref?: string;
  pipelineId?: string;
  pipelineUrl?: string;
  jobUrl?: string;
  token: string;
}

export function readGitLabSettings(env: NodeJS.ProcessEnv = process.env): GitLabSettings {
  const missing = ['CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_COMMIT_SHA'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new UsageError(`--post needs the GitLab CI variables ${missing.join(', ')}, which are not set`, {
      hint: 'run --post inside a GitLab CI job, or set these variables by hand to post from elsewhere',
    });
  }
  const token = env[TOKEN_VARIABLE];
  if (!token) {
    throw new UsageError(`--post needs a GitLab token in ${TOKEN_VARIABLE}, which is not set`, {
      hint: `create a project access token (scope "api", role Developer) and store it as a masked CI/CD variable named ${TOKEN_VARIABLE}`,
    });
  }
  const pick = (name: string) => (env[name] ? { [name]: env[name] } : {});
  const optional = {
    ...pick('CI_MERGE_REQUEST_IID'),
    ...pick('CI_COMMIT_REF_NAME'),
    ...pick('CI_PIPELINE_ID'),
    ...pick('CI_PIPELINE_URL'),
    ...pick('CI_JOB_URL'),
  };
  return {
    apiUrl: env.CI_API_V4_URL as string,
    projectId: env.CI_PROJECT_ID as string,
    commitSha: env.CI_COMMIT_SHA as string,
    token,
    ...(optional.CI_MERGE_REQUEST_IID ? { mergeRequestIid: optional.CI_MERGE_REQUEST_IID } : {}),
    ...(optional.CI_COMMIT_REF_NAME ? { ref: optional.CI_COMMIT_REF_NAME } : {}),
    ...(optional.CI_PIPELINE_ID ? { pipelineId: optional.CI_PIPELINE_ID } : {}),
    ...(optional.CI_PIPELINE_URL ? { pipelineUrl: optional.CI_PIPELINE_URL } : {}),
    ...(optional.CI_JOB_URL ? { jobUrl: optional.CI_JOB_URL } : {}),
  };
}

export type GitLabApi = InstanceType<typeof Gitlab<false>>;

export interface GitLabClient {
  api: GitLabApi;
  settings: GitLabSettings;
  redact: Redactor;
  log: (line: string) => void;
}

export interface ClientOptions {
  policy?: RetryPolicy;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

// A gitbeaker client whose every request goes through kvmatrix's retrying, redacting handler.
// gitbeaker builds URLs as <host>/api/v4/...; CI_API_V4_URL already ends in /api/v4.
export function createGitLabClient(settings: GitLabSettings, options: ClientOptions = {}): GitLabClient {
  const redact = createRedactor([settings.token]);
  const rawLog = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const log = (line: string) => rawLog(redact(line));
  const host = settings.apiUrl.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  if (`${host}/api/v4` !== settings.apiUrl.replace(/\/+$/, '')) {
    throw new UsageError(`CI_API_V4_URL=${settings.apiUrl} does not end in /api/v4`, {
      hint: 'set CI_API_V4_URL to the GitLab API root, for example https://gitlab.example.com/api/v4',
    });
  }
  const handler = createRequestHandler({
    policy: options.policy ?? DEFAULT_RETRY_POLICY,
    redact,
    log,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const requesterFn = createRequesterFn(
    (_service, requestOptions) => Promise.resolve(requestOptions),
    handler,
  );
  const api = new Gitlab({ host, token: settings.token, requesterFn, queryTimeout: 60_000 }) as GitLabApi;
  return { api, settings, redact, log };
}
