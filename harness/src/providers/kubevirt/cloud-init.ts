import { stringifySafeYaml } from '../../contracts/safe-yaml.ts';

// The NoCloud user data of one VM: its hostname and the job's SSH key for root (the SSH user of
// every kvmatrix machine). `disable_root: false` makes cloud-init install the key for root as
// well as for the image's default user, instead of a "log in as <user>" stub.
export function renderUserData(hostname: string, publicKey: string): string {
  const config = {
    hostname,
    preserve_hostname: false,
    disable_root: false,
    ssh_pwauth: false,
    ssh_authorized_keys: [publicKey.trim()],
  };
  return `#cloud-config\n${stringifySafeYaml(config)}`;
}
