import { type ConditionInput, setConditions } from '../api/v1alpha1/condition.ts';
import {
  type Machine,
  MachineBoundCondition,
  MachineClaimedReason,
  MachineDeployedCondition,
  MachineDeployedReason,
  MachineIdleReason,
  MachineNodeHealthyCondition,
  MachineNodeMissingReason,
  MachineNodeNotReadyReason,
  MachineNodeReadyReason,
  MachineNotDeployedReason,
  type MachinePhase,
  MachineReadyCondition,
  MachineReleaseRequestedReason,
  type MachineStatus,
} from '../api/v1alpha1/machine.ts';

export function computeMachinePhase(machine: Machine): MachinePhase {
  const claim = machine.spec.claimRef;
  const deployed = Boolean(machine.status?.deployment);
  if (!claim) return deployed ? 'Cleaning' : 'Idle';
  if (claim.releaseRequested) return deployed ? 'Cleaning' : 'Bound';
  if (!deployed) return 'Bound';
  return machine.status?.node?.ready ? 'Ready' : 'Deployed';
}

// The Machine's phase and conditions, from the facts other controllers recorded. Pure.
export function computeMachineStatus(
  machine: Machine,
  now: string,
): Pick<MachineStatus, 'phase' | 'conditions'> {
  const phase = computeMachinePhase(machine);
  const claim = machine.spec.claimRef;
  const deployment = machine.status?.deployment;
  const node = machine.status?.node;
  const conditions: ConditionInput[] = [
    claim
      ? {
          type: MachineBoundCondition,
          status: claim.releaseRequested ? 'False' : 'True',
          reason: claim.releaseRequested ? MachineReleaseRequestedReason : MachineClaimedReason,
          message: `claimed by MachineSet ${claim.machineSet} of cluster ${claim.clusterName} as ${claim.role}`,
        }
      : { type: MachineBoundCondition, status: 'False', reason: MachineIdleReason, message: 'not claimed' },
    deployment
      ? {
          type: MachineDeployedCondition,
          status: 'True',
          reason: MachineDeployedReason,
          message: `Kubernetes ${deployment.kubernetesVersion} deployed by Job ${deployment.job}`,
        }
      : {
          type: MachineDeployedCondition,
          status: 'False',
          reason: MachineNotDeployedReason,
          message: 'nothing deployed',
        },
    !deployment || !node
      ? {
          type: MachineNodeHealthyCondition,
          status: 'Unknown',
          reason: MachineNodeMissingReason,
          message: deployment ? 'no Node seen in the workload cluster yet' : 'not deployed',
        }
      : {
          type: MachineNodeHealthyCondition,
          status: node.ready ? 'True' : 'False',
          reason: node.ready ? MachineNodeReadyReason : MachineNodeNotReadyReason,
          message: node.message || node.reason,
        },
    {
      type: MachineReadyCondition,
      status: phase === 'Ready' ? 'True' : 'False',
      reason: phase === 'Ready' ? MachineNodeReadyReason : phase,
      message: `machine is ${phase}`,
    },
  ].map((c) => ({ ...c, observedGeneration: machine.metadata.generation }) as ConditionInput);
  return { phase, conditions: setConditions(machine.status?.conditions, conditions, now) };
}
