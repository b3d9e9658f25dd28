import {
  type MachineNodeInfo,
  NodeNoReadyConditionReason,
  NodeNotFoundReason,
} from '../api/v1alpha1/machine.ts';

export interface NodeLike {
  metadata: { name: string };
  spec?: { unschedulable?: boolean };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

// A workload-cluster Node as the Machine records it: Ready or not, and why. Pure.
export function nodeFact(nodeName: string, node: NodeLike | undefined): MachineNodeInfo {
  if (!node)
    return {
      name: nodeName,
      ready: false,
      reason: NodeNotFoundReason,
      message: `no Node ${nodeName} in the workload cluster`,
    };
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (!ready)
    return {
      name: nodeName,
      ready: false,
      reason: NodeNoReadyConditionReason,
      message: 'the kubelet has not reported yet',
    };
  const pressure =
    node.status?.conditions?.filter((c) => c.type !== 'Ready' && c.status === 'True').map((c) => c.type) ??
    [];
  return {
    name: nodeName,
    ready: ready.status === 'True',
    reason: ready.reason ?? (ready.status === 'True' ? 'KubeletReady' : 'KubeletNotReady'),
    message: [ready.message ?? '', pressure.length ? `conditions: ${pressure.join(', ')}` : '']
      .filter(Boolean)
      .join('; '),
  };
}
