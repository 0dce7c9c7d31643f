import { NODE_STATES, type NodeState } from '../../core/node-state.ts';

/**
 * One colour per node state, with the state's name always written next to it (colour is never
 * the only signal). Healthy states are green/blue, degraded amber, down red, unknown grey.
 */
export const STATE_COLORS: Record<NodeState | 'unknown', { background: string; text: string; meaning: string }> = {
  active: { background: '#2e7d32', text: '#ffffff', meaning: 'serving requests (leader)' },
  standby: { background: '#1565c0', text: '#ffffff', meaning: 'healthy standby' },
  'perf-standby': { background: '#00838f', text: '#ffffff', meaning: 'performance standby (serves reads)' },
  'dr-secondary': { background: '#6a1b9a', text: '#ffffff', meaning: 'disaster-recovery secondary' },
  'standby-unhealthy': { background: '#ef6c00', text: '#000000', meaning: 'standby that lost its HA connection (474)' },
  sealed: { background: '#c62828', text: '#ffffff', meaning: 'sealed: no secrets served until unsealed' },
  uninitialized: { background: '#8d6e63', text: '#ffffff', meaning: 'not initialised' },
  removed: { background: '#455a64', text: '#ffffff', meaning: 'removed from the raft cluster (530)' },
  unreachable: { background: '#212121', text: '#ffffff', meaning: 'did not answer in time, refused or failed TLS' },
  unknown: { background: '#bdbdbd', text: '#000000', meaning: 'not swept yet' },
};

/** Legend order: the node states in their documented order, then `unknown`. */
export const LEGEND_STATES: readonly (NodeState | 'unknown')[] = [...NODE_STATES, 'unknown'];
