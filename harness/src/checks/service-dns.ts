import { type Check, CheckFailure } from './check.ts';
import {
  ensureProbeWorkload,
  execInPod,
  fetchFromPod,
  PROBE_NAMESPACE,
  PROBE_PORT,
  PROBE_SERVICE,
} from './probe-workload.ts';

// A pod resolves a Service name through CoreDNS and reaches it through kube-proxy.
export const serviceDnsCheck: Check = {
  id: 'service-dns',
  title: 'service DNS from a pod',
  async run(ctx) {
    const pods = await ensureProbeWorkload(ctx);
    const from = pods[0];
    if (!from) throw new CheckFailure('no probe pod to test from');
    const fqdn = `${PROBE_SERVICE}.${PROBE_NAMESPACE}.svc.cluster.local`;
    const lookup = await execInPod(ctx, from.name, ['nslookup', fqdn]);
    if (!lookup.ok) throw new CheckFailure(`${fqdn} did not resolve from ${from.name}`, lookup.output);
    const fetch = await fetchFromPod(ctx, from.name, `http://${fqdn}:${PROBE_PORT}/`);
    if (!fetch.ok || !pods.some((p) => p.node === fetch.output)) {
      throw new CheckFailure(
        `http://${fqdn}:${PROBE_PORT}/ was not served through the Service`,
        `${lookup.output}\n${fetch.output}`,
      );
    }
    return `${lookup.output}\nserved by the probe on ${fetch.output}`;
  },
};
