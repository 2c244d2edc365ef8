/** Requests Slack sends to the app: signed events, slash commands and interactions. */
import { randomBytes } from 'node:crypto';
import { eventFileIds, noteFileShares } from './file-share.js';
import type { ResponseUrls } from './response-urls.js';
import { slackSignatureHeaders } from './sign.js';
import type {
  CommandDeliveryResult,
  DeliveryResult,
  InteractionPayload,
  SendEventOptions,
  SlashCommandInput,
} from './types.js';
import { type Identity, newRecord, type Workspace } from './workspace.js';

/** Slack wants a 2xx within 3 seconds or it retries the delivery. */
export const SLACK_ACK_TIMEOUT_MS = 3_000;
/** Bolt refuses requests whose timestamp is more than 5 minutes off; six is safely stale. */
const STALE_BY_SEC = 6 * 60;
/** The deprecated verification token Slack still puts in every payload. */
export const LEGACY_VERIFICATION_TOKEN = 'fake-verification-token';
const SLACK_USER_AGENT = 'Slackbot 1.0 (+https://api.slack.com/robots)';
/** Message subtypes that are still someone writing to the channel. */
const AUTHORED_SUBTYPES = new Set([undefined, 'thread_broadcast', 'file_share', 'bot_message']);

export interface DeliveryDeps {
  readonly workspace: Workspace;
  readonly signingSecret: string;
  readonly urls: ResponseUrls;
  readonly baseUrl: string;
}

type Signing = Pick<SendEventOptions, 'badSignature' | 'staleTimestamp'>;

function randomId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex').toUpperCase()}`;
}

function signedHeaders(secret: string, rawBody: string, signing: Signing): Record<string, string> {
  const nowSec = Math.floor(Date.now() / 1000);
  const timestamp = signing.staleTimestamp === true ? nowSec - STALE_BY_SEC : nowSec;
  const key = signing.badSignature === true ? `${secret}-not-the-secret` : secret;
  return slackSignatureHeaders(key, rawBody, timestamp);
}

async function post(
  targetUrl: string,
  rawBody: string,
  headers: Record<string, string>,
): Promise<DeliveryResult> {
  const started = performance.now();
  const response = await fetch(targetUrl, {
    method: 'POST',
    headers: { 'user-agent': SLACK_USER_AGENT, ...headers },
    body: rawBody,
  });
  const body = await response.text();
  const ms = performance.now() - started;
  const acked = response.status >= 200 && response.status < 300 && ms < SLACK_ACK_TIMEOUT_MS;
  return { status: response.status, body, ms, acked };
}

/** Slack's record of what a person wrote: the fake keeps it so replies and threads resolve. */
function rememberAuthoredMessage(workspace: Workspace, event: Record<string, unknown>): void {
  const { type, subtype, channel, ts, user, text, thread_ts: threadTs } = event;
  const isMessage =
    type === 'app_mention' ||
    (type === 'message' && AUTHORED_SUBTYPES.has(subtype as string | undefined));
  if (!isMessage || typeof channel !== 'string' || typeof ts !== 'string') return;
  if (workspace.find(channel, ts) !== undefined) return;
  const record = newRecord({
    channel,
    ts,
    threadTs: typeof threadTs === 'string' && threadTs !== ts ? threadTs : undefined,
    text: typeof text === 'string' ? text : '',
    blocks: Array.isArray(event.blocks) ? event.blocks : undefined,
    user: typeof user === 'string' ? user : '',
    isBot: typeof event.bot_id === 'string',
    files: eventFileIds(workspace, event),
  });
  noteFileShares(workspace, record);
  workspace.insert(record);
}

function registerChannels(workspace: Workspace, event: Record<string, unknown>): void {
  const thread = event.assistant_thread as Record<string, unknown> | undefined;
  for (const id of [event.channel, thread?.channel_id]) {
    if (typeof id !== 'string') continue;
    const user = id.startsWith('D') && typeof event.user === 'string' ? { user: event.user } : {};
    workspace.ensureChannel({ id, ...user });
  }
}

/** The `event_callback` body Slack wraps an event in (over HTTP, and inside a Socket Mode envelope). */
export function eventCallback(
  identity: Identity,
  event: Record<string, unknown>,
  eventId: string | undefined,
) {
  const nowSec = Math.floor(Date.now() / 1000);
  const eventTs = event.event_ts ?? event.ts ?? `${nowSec}.000000`;
  return {
    token: LEGACY_VERIFICATION_TOKEN,
    team_id: identity.teamId,
    context_team_id: identity.teamId,
    context_enterprise_id: null,
    api_app_id: identity.appId,
    event: { ...event, event_ts: eventTs },
    type: 'event_callback',
    event_id: eventId ?? randomId('Ev'),
    event_time: nowSec,
    authorizations: [
      {
        enterprise_id: null,
        team_id: identity.teamId,
        user_id: identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: randomId('4-'),
  };
}

/** What Slack knows once it sends an event: the conversations it names and the message it carries. */
export function recordEvent(workspace: Workspace, event: Record<string, unknown>): void {
  registerChannels(workspace, event);
  rememberAuthoredMessage(workspace, event);
}

/** Delivers `event` inside an `event_callback` envelope, signed, as the Events API does. */
export async function sendEvent(
  deps: DeliveryDeps,
  targetUrl: string,
  event: Record<string, unknown>,
  options: SendEventOptions = {},
): Promise<DeliveryResult> {
  recordEvent(deps.workspace, event);
  const rawBody = JSON.stringify(eventCallback(deps.workspace.identity, event, options.eventId));
  const retry: Record<string, string> = {};
  if (options.retryNum !== undefined) retry['x-slack-retry-num'] = String(options.retryNum);
  if (options.retryReason !== undefined) retry['x-slack-retry-reason'] = options.retryReason;
  const headers = {
    'content-type': 'application/json',
    ...retry,
    ...signedHeaders(deps.signingSecret, rawBody, options),
  };
  const result = await post(targetUrl, rawBody, headers);
  deps.workspace.changed();
  return result;
}

/** The `url_verification` handshake Slack sends when the Request URL is saved. */
export async function sendUrlVerification(
  deps: DeliveryDeps,
  targetUrl: string,
  challenge: string,
): Promise<DeliveryResult> {
  const rawBody = JSON.stringify({
    token: LEGACY_VERIFICATION_TOKEN,
    challenge,
    type: 'url_verification',
  });
  const headers = {
    'content-type': 'application/json',
    ...signedHeaders(deps.signingSecret, rawBody, {}),
  };
  return post(targetUrl, rawBody, headers);
}

async function postForm(
  deps: DeliveryDeps,
  targetUrl: string,
  form: URLSearchParams,
  signing: Signing,
) {
  const rawBody = form.toString();
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    ...signedHeaders(deps.signingSecret, rawBody, signing),
  };
  const result = await post(targetUrl, rawBody, headers);
  deps.workspace.changed();
  return result;
}

/** A slash command's fields as Slack sends them, with a fresh `response_url` that points at the fake. */
export function slashCommandFields(
  deps: DeliveryDeps,
  input: SlashCommandInput,
): Record<string, string> {
  const { identity } = deps.workspace;
  deps.workspace.ensureChannel({ id: input.channel_id });
  return {
    token: LEGACY_VERIFICATION_TOKEN,
    team_id: identity.teamId,
    team_domain: identity.teamDomain,
    channel_id: input.channel_id,
    channel_name: input.channel_name ?? input.channel_id.toLowerCase(),
    user_id: input.user_id,
    user_name: input.user_name ?? deps.workspace.users.get(input.user_id)?.name ?? input.user_id,
    command: input.command,
    text: input.text ?? '',
    api_app_id: identity.appId,
    is_enterprise_install: 'false',
    response_url: deps.urls.issue(deps.baseUrl),
    trigger_id: input.trigger_id ?? randomId('trigger.'),
  };
}

/** Delivers a slash command, form-encoded and signed, with a `response_url` that points at the fake. */
export async function sendSlashCommand(
  deps: DeliveryDeps,
  targetUrl: string,
  input: SlashCommandInput,
  signing: Signing = {},
): Promise<CommandDeliveryResult> {
  const fields = slashCommandFields(deps, input);
  const form = new URLSearchParams(fields);
  const responseUrl = fields.response_url ?? '';
  return { ...(await postForm(deps, targetUrl, form, signing)), responseUrl };
}

/** Payload types Slack sends with a response_url (the ones that come from a message). */
const RESPONDABLE_TYPES = new Set(['block_actions', 'message_action', 'interactive_message']);

/** An interaction payload as Slack sends it; message-born ones get a `response_url`. */
export function interactionBody(
  deps: DeliveryDeps,
  payload: InteractionPayload,
): { readonly body: Record<string, unknown>; readonly responseUrl: string | undefined } {
  const { identity } = deps.workspace;
  const respondable = RESPONDABLE_TYPES.has(payload.type) && payload.view === undefined;
  const responseUrl = respondable
    ? typeof payload.response_url === 'string'
      ? payload.response_url
      : deps.urls.issue(deps.baseUrl)
    : undefined;
  const body = {
    api_app_id: identity.appId,
    token: LEGACY_VERIFICATION_TOKEN,
    team: { id: identity.teamId, domain: identity.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    trigger_id: randomId('trigger.'),
    ...(responseUrl === undefined ? {} : { response_url: responseUrl }),
    ...payload,
  };
  return { body, responseUrl };
}

/** Delivers an interaction as Slack does: form field `payload` holding JSON, signed. */
export async function sendInteraction(
  deps: DeliveryDeps,
  targetUrl: string,
  payload: InteractionPayload,
  signing: Signing = {},
): Promise<DeliveryResult & { readonly responseUrl: string | undefined }> {
  const { body, responseUrl } = interactionBody(deps, payload);
  const form = new URLSearchParams({ payload: JSON.stringify(body) });
  return { ...(await postForm(deps, targetUrl, form, signing)), responseUrl };
}
