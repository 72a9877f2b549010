// Kept only for provisioning-publisher.ts, which is moving out of slack/ on another branch: every Slack id is
// in ids.ts. Delete this file once nothing imports it.
export { RETRY_FAILED_ACTION } from './ids.ts';
