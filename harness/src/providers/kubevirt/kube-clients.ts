import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import {
  ApiException,
  AuthenticationV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  Watch,
} from '@kubernetes/client-node';
import { InfrastructureError, KvError } from '../../contracts/errors.ts';

// The API clients of one provider instance, built once from one kubeconfig.
export interface KubeClients {
  kc: KubeConfig;
  core: CoreV1Api;
  custom: CustomObjectsApi;
  rbac: RbacAuthorizationV1Api;
  authn: AuthenticationV1Api;
  authz: AuthorizationV1Api;
  watch: Watch;
}

// Whether any cluster is configured at all: a kubeconfig named, $KUBECONFIG, ~/.kube/config, or
// a pod's service account. (client-node would otherwise quietly fall back to localhost:8080.)
export function kubeconfigAvailable(kubeconfig?: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(
    kubeconfig ||
      env.KUBECONFIG ||
      existsSync(path.join(homedir(), '.kube', 'config')) ||
      env.KUBERNETES_SERVICE_HOST,
  );
}

export function connectKube(kubeconfig?: string): KubeClients {
  if (!kubeconfigAvailable(kubeconfig)) {
    throw new KvError('USAGE', 'no kubeconfig for the kubevirt provider', {
      hint: 'set KVMATRIX_KUBECONFIG or KUBECONFIG to the CI cluster kubeconfig',
    });
  }
  const kc = new KubeConfig();
  try {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
  } catch (cause) {
    throw new KvError(
      'USAGE',
      `cannot load the kubeconfig ${kubeconfig ?? '($KUBECONFIG or ~/.kube/config)'}`,
      {
        hint: 'set KVMATRIX_KUBECONFIG or KUBECONFIG to the CI cluster kubeconfig',
        cause,
      },
    );
  }
  if (!kc.getCurrentCluster()) {
    throw new KvError('USAGE', 'the kubeconfig names no current cluster', {
      hint: 'set KVMATRIX_KUBECONFIG or KUBECONFIG to the CI cluster kubeconfig',
    });
  }
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    rbac: kc.makeApiClient(RbacAuthorizationV1Api),
    authn: kc.makeApiClient(AuthenticationV1Api),
    authz: kc.makeApiClient(AuthorizationV1Api),
    watch: new Watch(kc),
  };
}

export function httpStatus(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return httpStatus(error) === 404;
}

export function isConflict(error: unknown): boolean {
  return httpStatus(error) === 409;
}

// The API server's own message (a Status object's `message`), for errors a person reads.
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as unknown;
    let parsed: unknown = body;
    if (typeof body === 'string') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return `HTTP ${error.code}: ${body.slice(0, 500)}`;
      }
    }
    const message = (parsed as { message?: unknown })?.message;
    return `HTTP ${error.code}: ${typeof message === 'string' ? message : error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

// Wraps an API failure as an infrastructure error naming what was being done.
export function apiFailure(doing: string, error: unknown, hint?: string): InfrastructureError {
  return new InfrastructureError(
    `${doing}: ${apiMessage(error)}`,
    hint ? { cause: error, hint } : { cause: error },
  );
}

// Runs a call made right after a RoleBinding was created, retrying 403 for a few seconds while the
// API server's authorizer cache catches up with the new binding.
export async function retryForbidden<T>(call: () => Promise<T>, attempts = 10, delayMs = 500): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (httpStatus(error) !== 403 || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
