// The only reader of process.env. Validated once, with one readable error listing every problem (README "Configuration").
import { z } from 'zod';

export const README_SLACK_APP_SECTION = 'README.md, section "Creating the Slack app"';

/** What a process needs: Slack credentials only for the parts that talk to Slack; the signing secret only
 * where Slack's requests arrive. */
export type ConfigPurpose = 'slack' | 'worker' | 'database';

const positiveInteger = (fallback: number) => z.coerce.number().int().positive().default(fallback);

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const MAIL_ADDRESS = String.raw`[^\s<>@]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*`;
/** `no-reply@example.com` or `Domum <no-reply@example.com>`. */
const MAIL_FROM_PATTERN = new RegExp(`^(?:${MAIL_ADDRESS}|[^<>@]*<${MAIL_ADDRESS}>)$`);
/** The sender of the emails written to the outbox when there is no SMTP_URL. */
const OUTBOX_MAIL_FROM = 'Domum <no-reply@localhost>';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const environmentSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.pipe(
    z.string().startsWith('xoxb-', 'must be a bot token (it starts with xoxb-)').optional(),
  ),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.pipe(
    z.string().startsWith('xapp-', 'must be an app-level token (it starts with xapp-)').optional(),
  ),
  SLACK_API_URL: optionalText
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional())
    .transform((value) => {
      const url = value ?? 'https://slack.com/api/';
      return url.endsWith('/') ? url : `${url}/`;
    }),
  // Digits only: z.coerce would read "" (a PORT= line left empty) as 0, a random port, and "0x50" as 80.
  // PORT=0 stays allowed on purpose: tests listen on a random port and read it from the "domum started" line.
  PORT: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return 3000;
      const text = value.trim();
      if (/^\d{1,5}$/.test(text) && Number(text) <= 65535) return Number(text);
      context.addIssue({
        code: 'custom',
        message: `must be a port number (0–65535)${text === '' ? ', not empty: unset PORT for the default, 3000' : ''}`,
      });
      return z.NEVER;
    }),
  PUBLIC_BASE_URL: optionalText.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL URL (postgres://user:password@host:5432/database)')
      .optional(),
  ),
  SMTP_URL: optionalText.pipe(
    z
      .string()
      .regex(/^smtps?:\/\//, 'must be an SMTP URL (smtp://user:password@host:587)')
      .optional(),
  ),
  // An address with a domain, alone or after a display name: the Message-IDs are made under that domain.
  MAIL_FROM: optionalText.pipe(
    z
      .string()
      .regex(MAIL_FROM_PATTERN, 'must be an email address, alone or with a name: Domum <no-reply@example.com>')
      .optional(),
  ),
  DATA_DIR: optionalText.transform((value) => value ?? './data'),
  // What the emails to third-party users say about who asked and whom to ask (README "Configuration").
  ORGANISATION_NAME: optionalText.pipe(z.string().max(100, 'must be at most 100 characters').optional()),
  SUPPORT_CONTACT: optionalText.pipe(z.string().max(200, 'must be at most 200 characters').optional()),
  DOMUM_ADMIN_USER_IDS: optionalText.transform((value, context) => {
    const ids = (value ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean);
    for (const id of ids) {
      if (!/^[UW][A-Z0-9]{2,}$/.test(id)) {
        context.addIssue({ code: 'custom', message: `"${id}" is not a Slack user ID (like U0123ABCD)` });
      }
    }
    return ids;
  }),
  SECRET_KEY: optionalText.pipe(
    z.string().min(32, 'must be at least 32 characters (use: openssl rand -hex 32)').optional(),
  ),
  TOKEN_TTL_HOURS: positiveInteger(72),
  APPROVAL_TTL_HOURS: z.coerce.number({ error: 'must be a number of hours' }).positive().default(24),
  MAIL_RATE_PER_SECOND: z.coerce.number().positive().default(10),
  SMTP_CONNECTIONS: z.coerce
    .number({ error: 'must be a whole number from 1 to 50' })
    .int('must be a whole number from 1 to 50')
    .min(1, 'must be a whole number from 1 to 50')
    .max(50, 'must be a whole number from 1 to 50')
    .default(5),
  IMPORT_MAX_ROWS: positiveInteger(50_000),
  IMPORT_MAX_BYTES: positiveInteger(10_485_760),
  DEFAULT_TIMEZONE: optionalText
    .transform((value) => value ?? 'UTC')
    .refine(isTimeZone, 'must be an IANA time zone such as UTC or America/Sao_Paulo'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  HTTP_HEADERS_TIMEOUT_MS: positiveInteger(10_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInteger(20_000),
  HTTP_MAX_CONNECTIONS: positiveInteger(1_000),
});

/** Variables earlier versions read, with what replaced them. */
const REPLACED_VARIABLES: Record<string, string> = {
  TOKEN_TTL_MINUTES:
    'it was replaced by TOKEN_TTL_HOURS (hours, default 72; a token also lasts until its access has started 24 hours): remove it and set TOKEN_TTL_HOURS if 72 does not suit',
};

/** Every environment variable the configuration reads (deployment manifests are checked against it). */
export const CONFIG_VARIABLE_NAMES: readonly string[] = Object.keys(environmentSchema.shape);

export interface Config {
  slack: {
    botToken: string;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
    socketMode: boolean;
  };
  port: number;
  publicBaseUrl: string;
  databaseUrl: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Named in the emails as the requester's organisation; unset: the Slack workspace's name. */
  organisationName: string | undefined;
  /** Whom third-party users contact for help (emails and landing page); unset: not shown. */
  supportContact: string | undefined;
  dataDir: string;
  adminUserIds: string[];
  /** Unset only in the embedded default, where the process keeps a generated key under DATA_DIR. */
  secretKey: string | undefined;
  /** A token's lifetime from when it is sent (see tokenExpiry in src/domain/access-token.ts). */
  tokenTtlHours: number;
  approvalTtlHours: number;
  mailRatePerSecond: number;
  /** SMTP_CONNECTIONS: the mail server connections per process, and as many emails in flight at most. */
  smtpConnections: number;
  importMaxRows: number;
  importMaxBytes: number;
  defaultTimeZone: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** What the web server allows a client: time to send the headers, then the whole request; open connections. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; maxConnections: number };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], purpose: ConfigPurpose) {
    const lines = problems.map((problem) => `  - ${problem}`);
    const help =
      purpose !== 'database'
        ? `Create the Slack app from slack-manifest.yml and copy its credentials: see ${README_SLACK_APP_SECTION}.`
        : 'See README.md, section "Configuration".';
    super(
      `Domum cannot start: the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}.\n${lines.join('\n')}\n${help}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Variables required by what the process does, or by another variable being set. */
function requiredTogether(env: NodeJS.ProcessEnv, purpose: ConfigPurpose): string[] {
  const problems: string[] = [];
  if (purpose !== 'database') {
    if (!env.SLACK_BOT_TOKEN?.trim()) problems.push('SLACK_BOT_TOKEN is missing: the bot token (xoxb-…)');
    if (purpose === 'slack' && !env.SLACK_SIGNING_SECRET?.trim() && !env.SLACK_APP_TOKEN?.trim()) {
      problems.push('SLACK_SIGNING_SECRET is missing: the signing secret (or set SLACK_APP_TOKEN for Socket Mode)');
    }
    // A real mail server delivers to real mailboxes: the sender (and the Message-IDs' domain) must be one the
    // organisation owns, never a made-up default that spam filters distrust.
    if (env.SMTP_URL?.trim() && !env.MAIL_FROM?.trim()) {
      problems.push(
        'MAIL_FROM is missing: it is required with SMTP_URL (the sender, e.g. Domum <no-reply@example.com>; Message-IDs use its domain)',
      );
    }
    if (env.DATABASE_URL?.trim() && !env.SECRET_KEY?.trim()) {
      problems.push('SECRET_KEY is missing: it is required with DATABASE_URL (use: openssl rand -hex 32)');
    }
  }
  return problems;
}

/** A setting that no longer exists is refused rather than ignored: its value would otherwise silently stop
 * applying after an upgrade. */
function replacedVariables(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(REPLACED_VARIABLES)
    .filter(([name]) => env[name] !== undefined)
    .map(([name, replacement]) => `${name} is no longer read: ${replacement}`);
}

export function loadConfig(env: NodeJS.ProcessEnv, purpose: ConfigPurpose = 'slack'): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join('.')}: ${issue.message}`);
    }
  }
  const values = parsed.success ? parsed.data : undefined;
  problems.push(...requiredTogether(env, purpose), ...replacedVariables(env));
  if (values && values.HTTP_HEADERS_TIMEOUT_MS > values.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(
      'HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
    );
  }
  if (problems.length > 0 || !values) throw new ConfigError(problems, purpose);

  const port = values.PORT;
  return {
    slack: {
      botToken: values.SLACK_BOT_TOKEN ?? '',
      signingSecret: values.SLACK_SIGNING_SECRET,
      appToken: values.SLACK_APP_TOKEN,
      apiUrl: values.SLACK_API_URL,
      socketMode: values.SLACK_APP_TOKEN !== undefined,
    },
    port,
    publicBaseUrl: (values.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl: values.DATABASE_URL,
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM ?? OUTBOX_MAIL_FROM,
    organisationName: values.ORGANISATION_NAME,
    supportContact: values.SUPPORT_CONTACT,
    dataDir: values.DATA_DIR,
    adminUserIds: values.DOMUM_ADMIN_USER_IDS,
    secretKey: values.SECRET_KEY,
    tokenTtlHours: values.TOKEN_TTL_HOURS,
    approvalTtlHours: values.APPROVAL_TTL_HOURS,
    mailRatePerSecond: values.MAIL_RATE_PER_SECOND,
    smtpConnections: values.SMTP_CONNECTIONS,
    importMaxRows: values.IMPORT_MAX_ROWS,
    importMaxBytes: values.IMPORT_MAX_BYTES,
    defaultTimeZone: values.DEFAULT_TIMEZONE,
    logLevel: values.LOG_LEVEL,
    http: {
      headersTimeoutMs: values.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: values.HTTP_REQUEST_TIMEOUT_MS,
      maxConnections: values.HTTP_MAX_CONNECTIONS,
    },
  };
}
