import { KvError } from '../../contracts/errors.ts';

export const TOKEN_VARIABLE = 'KVMATRIX_GITLAB_TOKEN';

// A GitLab API call that failed for good. The message names the method, the path and the status,
// never a header; the hint names what to change. Exit status: 2 for a token or project
// problem (fix the configuration), 3 when GitLab stayed unavailable (the job may be retried).
export class GitLabApiError extends KvError {
  readonly status: number | undefined;

  constructor(status: number | undefined, message: string, hint: string) {
    const code =
      status === undefined || status === 429 || status >= 500
        ? 'INFRASTRUCTURE'
        : status === 404
          ? 'NOT_FOUND'
          : 'USAGE';
    super(code, message, { hint });
    this.status = status;
  }
}

export function hintForStatus(status: number): string {
  switch (status) {
    case 401:
      return `set ${TOKEN_VARIABLE} to a valid project access token (scope "api", role Developer) as a masked CI/CD variable; the current one is missing, expired or revoked`;
    case 403:
      return `the token in ${TOKEN_VARIABLE} lacks a permission: it needs scope "api" and role Developer to write merge-request notes and commit statuses`;
    case 404:
      return 'check CI_PROJECT_ID, CI_MERGE_REQUEST_IID and CI_COMMIT_SHA, and that the token belongs to this project';
    case 429:
      return 'GitLab kept rate-limiting this token; retry the job later or raise the notes rate limit';
    default:
      return status >= 500
        ? 'GitLab is unavailable; retry the job'
        : 'see the GitLab API documentation for this endpoint';
  }
}
