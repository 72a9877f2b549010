// Where an uploaded spreadsheet's bytes come from (Slack's file host, downloaded with the bot token): a port,
// so the check job runs a use case and never the Slack adapter itself.
export interface ImportFiles {
  /** The file's bytes, at most `maxBytes`; throws FileUnavailableError (import-lifecycle.ts) with a reason people can act on. */
  download(fileId: string, maxBytes: number): Promise<Uint8Array>;
}
