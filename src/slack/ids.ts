// Every Slack identifier the app uses (command, action ids, callback ids), shared by the block builders that
// emit them and the listeners that receive them. slack-manifest.yml is kept in step by a test.
export const SLASH_COMMAND = '/domum';
export const SLACK_EVENTS_PATH = '/slack/events';
