import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ToolMissingError } from '../contracts/errors.ts';

// The PKI of a throw-away control plane, made with the openssl command (node:crypto cannot issue
// X.509 certificates): a CA, the apiserver's serving certificate for loopback, an admin client
// certificate in system:masters, and the service-account signing key pair. All files live in the
// control plane's own temporary directory and die with it.

export interface ControlPlanePki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execa('openssl', args, { cwd, stdin: 'ignore' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ToolMissingError('openssl', 'apt-get install openssl');
    }
    throw error;
  }
}

async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  days = 2,
): Promise<void> {
  const ext = path.join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`],
    dir,
  );
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      String(days),
      '-extfile',
      ext,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

export async function createPki(dir: string): Promise<ControlPlanePki> {
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'],
    dir,
  );
  await openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'ca.key',
      '-subj',
      '/CN=kvmatrix-testbed-ca',
      '-days',
      '2',
      '-out',
      'ca.crt',
    ],
    dir,
  );
  await issue(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc',
      '',
    ].join('\n'),
  );
  await issue(
    dir,
    'admin',
    '/O=system:masters/CN=kvmatrix-admin',
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
      '',
    ].join('\n'),
  );
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
  await openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const at = (file: string) => path.join(dir, file);
  return {
    caCert: at('ca.crt'),
    caKey: at('ca.key'),
    servingCert: at('apiserver.crt'),
    servingKey: at('apiserver.key'),
    adminCert: at('admin.crt'),
    adminKey: at('admin.key'),
    serviceAccountKey: at('sa.key'),
    serviceAccountPub: at('sa.pub'),
  };
}

// An admin kubeconfig with everything embedded, so it stays valid if copied elsewhere.
export async function renderAdminKubeconfig(pki: ControlPlanePki, server: string): Promise<string> {
  const b64 = async (file: string) => (await readFile(file)).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kvmatrix-testbed',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${await b64(pki.caCert)}`,
    'users:',
    '- name: kvmatrix-admin',
    '  user:',
    `    client-certificate-data: ${await b64(pki.adminCert)}`,
    `    client-key-data: ${await b64(pki.adminKey)}`,
    'contexts:',
    '- name: kvmatrix-testbed',
    '  context:',
    '    cluster: kvmatrix-testbed',
    '    user: kvmatrix-admin',
    'current-context: kvmatrix-testbed',
    '',
  ].join('\n');
}
