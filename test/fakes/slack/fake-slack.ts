/** A fake Slack on 127.0.0.1: the Web API the app calls, and the Events API that calls the app. */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import * as deliver from './deliver.js';
import { FakeFiles } from './fake-files.js';
import type { ResponseUrls } from './response-urls.js';
import {
  echoEvent,
  type SeedMessageInput,
  seedMessage,
  seedWorkspace,
  type UserMessageInput,
  userMessageEvent,
  waitForChange,
} from './setup.js';
import {
  DEFAULT_APP_TOKEN,
  type SocketModeServer,
  sendSocketCommand,
  sendSocketEvent,
  sendSocketInteraction,
} from './socket-mode.js';
import type {
  ApiCall,
  AssistantStatus,
  CommandDeliveryResult,
  DeliveryResult,
  EphemeralMessage,
  FakeChannel,
  FakeSlackOptions,
  FakeUser,
  InjectedFailure,
  InteractionPayload,
  PostedMessage,
  ResponseUrlPost,
  SendEventOptions,
  SlashCommandInput,
  SocketClose,
  SocketCommandDeliveryResult,
  SocketDeliveryResult,
  SocketEventOptions,
} from './types.js';
import type { WebApiDeps } from './web-api.js';
import { snapshot, type Workspace } from './workspace.js';

// A ceiling, not a pace: waits end as soon as the condition holds; a loaded CI box gets room.
const DEFAULT_WAIT_MS = 15_000;
/** Where the Web API lives on the fake's server. */
export const API_PATH = '/api/';

type Signing = Pick<SendEventOptions, 'badSignature' | 'staleTimestamp'>;

/** What a running fake is made of; `startFakeSlack` builds it. */
export interface Parts {
  readonly server: Server;
  readonly baseUrl: string;
  readonly options: FakeSlackOptions;
  readonly api: WebApiDeps;
  readonly urls: ResponseUrls;
  readonly signingSecret: string;
  readonly sockets: SocketModeServer;
}

/**
 * A running fake Slack. Tests act through `send*`, and assert on `messages`, `calls`, `responses`
 * and `files`.
 */
export class FakeSlack {
  /** Web API base for `new WebClient(token, { slackApiUrl })`, with the trailing slash WebClient expects. */
  readonly apiUrl: string;
  readonly url: string;
  readonly botToken: string;
  /** The app-level token (`xapp-…`) Socket Mode connects with. */
  readonly appToken: string;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  /** Files: a person attaching some (`files.userShare`), the app's `uploads`, `downloads`. */
  readonly files: FakeFiles;
  readonly #parts: Parts;
  readonly #workspace: Workspace;
  #closing: Promise<void> | undefined;

  constructor(parts: Parts) {
    this.#parts = parts;
    this.#workspace = parts.api.context.workspace;
    const { identity } = this.#workspace;
    this.apiUrl = `${parts.baseUrl}${API_PATH}`;
    this.url = parts.baseUrl;
    this.botToken = parts.api.botToken;
    this.appToken = parts.api.appLevel?.token ?? DEFAULT_APP_TOKEN;
    this.signingSecret = parts.signingSecret;
    this.teamId = identity.teamId;
    this.botUserId = identity.botUserId;
    this.botId = identity.botId;
    this.appId = identity.appId;
    this.files = new FakeFiles(this.#workspace);
  }

  /** Every Web API request, oldest first, tokens left out. */
  get calls(): readonly ApiCall[] {
    return this.#workspace.calls;
  }

  /** What the app POSTed to the response URLs the fake handed out. */
  get responses(): readonly ResponseUrlPost[] {
    return this.#workspace.responses;
  }

  get ephemerals(): readonly EphemeralMessage[] {
    return this.#workspace.ephemerals;
  }

  /** Every assistant thread status set, in order. */
  get statuses(): readonly AssistantStatus[] {
    return this.#workspace.statuses;
  }

  callsTo(method: string): ApiCall[] {
    return this.#workspace.calls.filter((call) => call.method === method);
  }

  /** A channel's messages, oldest first; with `threadTs`, that thread, root first. */
  messages(channel: string, threadTs?: string): PostedMessage[] {
    const records =
      threadTs === undefined
        ? this.#workspace.inChannel(channel)
        : this.#workspace.thread(channel, threadTs);
    return records.map(snapshot);
  }

  message(channel: string, ts: string): PostedMessage | undefined {
    const record = this.#workspace.find(channel, ts);
    return record === undefined ? undefined : snapshot(record);
  }

  /** The status a thread shows now ('' when none). */
  assistantStatus(channel: string, threadTs: string): string {
    return this.#workspace.currentStatus(channel, threadTs);
  }

  addUser(user: FakeUser): void {
    this.#workspace.addUser(user);
  }

  addChannel(channel: FakeChannel): void {
    this.#workspace.ensureChannel(channel);
    this.#workspace.changed();
  }

  /** Stores a message as if written before the test; returns its ts. */
  seedMessage(input: SeedMessageInput): string {
    return seedMessage(this.#workspace, input);
  }

  /** Builds the event for a person's message (fresh ts); `sendEvent` it to deliver it. */
  userMessage(input: UserMessageInput): Record<string, unknown> {
    return userMessageEvent(this.#workspace, input);
  }

  /**
   * The `message` event Slack sends for a stored message — for the bot's own posts, the echo
   * an app must ignore. Throws when there is no such message.
   */
  echoOf(channel: string, ts: string): Record<string, unknown> {
    const event = echoEvent(this.#workspace, channel, ts);
    if (event === undefined) throw new Error(`fake Slack: no message ${ts} in ${channel}`);
    return event;
  }

  /** Delivers an event in its signed `event_callback` envelope; messages it carries are stored. */
  sendEvent(targetUrl: string, event: object, options?: SendEventOptions): Promise<DeliveryResult> {
    return deliver.sendEvent(this.#delivery(), targetUrl, { ...event }, options);
  }

  sendUrlVerification(
    targetUrl: string,
    challenge: string = randomUUID(),
  ): Promise<DeliveryResult> {
    return deliver.sendUrlVerification(this.#delivery(), targetUrl, challenge);
  }

  sendSlashCommand(
    targetUrl: string,
    input: SlashCommandInput,
    signing?: Signing,
  ): Promise<CommandDeliveryResult> {
    return deliver.sendSlashCommand(this.#delivery(), targetUrl, input, signing);
  }

  sendInteraction(
    targetUrl: string,
    payload: InteractionPayload,
    signing?: Signing,
  ): Promise<DeliveryResult & { readonly responseUrl: string | undefined }> {
    return deliver.sendInteraction(this.#delivery(), targetUrl, payload, signing);
  }

  /** Socket Mode connections open now (greeted with `hello`). */
  get socketConnections(): number {
    return this.#parts.sockets.connections;
  }

  /** Every Socket Mode connection that ended, oldest first, with its close code. */
  get socketCloses(): readonly SocketClose[] {
    return this.#parts.sockets.closes;
  }

  /** Pongs the apps answered the fake's pings with. */
  get socketPongs(): number {
    return this.#parts.sockets.pongs;
  }

  /** Resolves once at least `count` Socket Mode connections are open. */
  waitForSocket(count = 1, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor(() => this.#parts.sockets.connections >= count, timeoutMs);
  }

  /** Delivers an event over Socket Mode (`events_api` envelope); messages it carries are stored. */
  sendSocketEvent(event: object, options?: SocketEventOptions): Promise<SocketDeliveryResult> {
    return sendSocketEvent(this.#delivery(), this.#parts.sockets, { ...event }, options);
  }

  /** Delivers a slash command over Socket Mode, with a `response_url` that points at the fake. */
  sendSocketCommand(input: SlashCommandInput): Promise<SocketCommandDeliveryResult> {
    return sendSocketCommand(this.#delivery(), this.#parts.sockets, input);
  }

  sendSocketInteraction(
    payload: InteractionPayload,
  ): Promise<SocketDeliveryResult & { readonly responseUrl: string | undefined }> {
    return sendSocketInteraction(this.#delivery(), this.#parts.sockets, payload);
  }

  /** Sends Slack's `disconnect` message on every connection: the apps should reconnect. */
  requestSocketReconnect(reason: 'warning' | 'refresh_requested' = 'refresh_requested'): void {
    this.#parts.sockets.requestReconnect(reason);
  }

  /** The next `times` calls of `method` fail this way, once their token has been checked. */
  failNext(method: string, failure: InjectedFailure, times = 1): void {
    const queue = this.#parts.api.failures.get(method) ?? [];
    this.#parts.api.failures.set(method, [
      ...queue,
      ...Array<InjectedFailure>(times).fill(failure),
    ]);
  }

  /**
   * Resolves once `predicate` holds, re-checked on every change to the fake (a call, a delivery,
   * a response); rejects after `timeoutMs`. Use it instead of sleeping.
   */
  waitFor(predicate: () => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return waitForChange(this.#workspace, predicate, timeoutMs);
  }

  /** Waits for a call of `method` that matches `predicate`, and returns it. */
  async waitForCall(
    method: string,
    predicate: (call: ApiCall) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ApiCall> {
    let found: ApiCall | undefined;
    await this.waitFor(() => {
      found = this.#workspace.calls.find((call) => call.method === method && predicate(call));
      return found !== undefined;
    }, timeoutMs);
    if (found === undefined) throw new Error(`fake Slack: no ${method} call`);
    return found;
  }

  /** Back to the configured people and channels: no messages, calls, failures or rate-limit state. */
  reset(): void {
    this.#workspace.clear();
    seedWorkspace(this.#workspace, this.#parts.options);
    this.#parts.api.limiter.reset();
    this.#parts.api.failures.clear();
    this.#parts.urls.clear();
  }

  /** Stops the server and drops every Socket Mode connection; closing twice is harmless. */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    const { server, sockets } = this.#parts;
    await sockets.close();
    server.closeAllConnections();
    return new Promise((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  #delivery(): deliver.DeliveryDeps {
    const { signingSecret, urls, baseUrl } = this.#parts;
    return { workspace: this.#workspace, signingSecret, urls, baseUrl };
  }
}
