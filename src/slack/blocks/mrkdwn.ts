// Slack mrkdwn treats &, < and > as control characters: user data must escape them, or a cell like
// "<!channel>" or "<https://evil|click>" would become a mention or a link.
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
