import { DiscordHttpError, type ErrorTree, fieldError, invalidFormBody } from './errors.js';

/** Discord's documented limits (API v10 "Message", "Embed Limits", "Application Commands"). */
export const LIMITS = {
  content: 2_000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4_096,
  embedFields: 25,
  embedFieldName: 256,
  embedFieldValue: 1_024,
  embedFooter: 2_048,
  embedAuthor: 256,
  embedTotal: 6_000,
  actionRows: 5,
  rowComponents: 5,
  customId: 100,
  buttonLabel: 80,
  threadName: 100,
  webhookName: 80,
  commandName: 32,
  commandDescription: 100,
  commandOptions: 25,
  commands: 100,
} as const;

/** Message flag 1 << 15: the message is laid out with components only (no content needed). */
const IS_COMPONENTS_V2 = 1 << 15;
/** Discord's command-name pattern; chat-input names must also be lowercase. */
const COMMAND_NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;
const FORBIDDEN_WEBHOOK_WORDS = ['clyde', 'discord'] as const;
const AUTO_ARCHIVE_DURATIONS = [60, 1_440, 4_320, 10_080] as const;

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

const maxLength = (path: string[], max: number): ErrorTree =>
  fieldError(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
const badLength = (path: string[], min: number, max: number): ErrorTree =>
  fieldError(path, 'BASE_TYPE_BAD_LENGTH', `Must be between ${min} and ${max} in length.`);
const required = (path: string[]): ErrorTree =>
  fieldError(path, 'BASE_TYPE_REQUIRED', 'This field is required');

/** The body must be a JSON object; Discord answers 50035 with DICT_TYPE_CONVERT otherwise. */
export function requireObject(body: unknown): Json {
  if (isObject(body)) return body;
  throw new DiscordHttpError(400, 50035, 'Invalid Form Body', {
    _errors: [
      { code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' },
    ],
  });
}

function textLength(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

function embedErrors(embed: unknown, index: number): ErrorTree[] {
  const at = (...path: string[]) => ['embeds', String(index), ...path];
  if (!isObject(embed)) return [required(at())];
  const footer = isObject(embed.footer) ? embed.footer : {};
  const author = isObject(embed.author) ? embed.author : {};
  const fields = asArray(embed.fields);
  const found: ErrorTree[] = [];
  const check = (value: unknown, max: number, path: string[]) => {
    if (textLength(value) > max) found.push(maxLength(path, max));
  };
  check(embed.title, LIMITS.embedTitle, at('title'));
  check(embed.description, LIMITS.embedDescription, at('description'));
  check(footer.text, LIMITS.embedFooter, at('footer', 'text'));
  check(author.name, LIMITS.embedAuthor, at('author', 'name'));
  if (fields.length > LIMITS.embedFields) found.push(maxLength(at('fields'), LIMITS.embedFields));
  fields.forEach((field, i) => {
    const f = isObject(field) ? field : {};
    if (typeof f.name !== 'string') found.push(required(at('fields', String(i), 'name')));
    if (typeof f.value !== 'string') found.push(required(at('fields', String(i), 'value')));
    check(f.name, LIMITS.embedFieldName, at('fields', String(i), 'name'));
    check(f.value, LIMITS.embedFieldValue, at('fields', String(i), 'value'));
  });
  const total =
    textLength(embed.title) +
    textLength(embed.description) +
    textLength(footer.text) +
    textLength(author.name) +
    fields.reduce<number>(
      (sum, f) => sum + (isObject(f) ? textLength(f.name) + textLength(f.value) : 0),
      0,
    );
  if (total > LIMITS.embedTotal) {
    found.push(
      fieldError(at(), 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000'),
    );
  }
  return found;
}

function buttonErrors(button: unknown, path: string[]): ErrorTree[] {
  if (!isObject(button) || button.type !== 2) return [];
  const found: ErrorTree[] = [];
  if (textLength(button.label) > LIMITS.buttonLabel)
    found.push(maxLength([...path, 'label'], LIMITS.buttonLabel));
  if (button.style === 5) {
    if (typeof button.url !== 'string') found.push(required([...path, 'url']));
  } else if (typeof button.custom_id !== 'string' || button.custom_id.length === 0) {
    found.push(required([...path, 'custom_id']));
  } else if (button.custom_id.length > LIMITS.customId) {
    found.push(maxLength([...path, 'custom_id'], LIMITS.customId));
  }
  return found;
}

function componentErrors(components: unknown[], flags: number): ErrorTree[] {
  if ((flags & IS_COMPONENTS_V2) !== 0) return [];
  if (components.length > LIMITS.actionRows) return [maxLength(['components'], LIMITS.actionRows)];
  return components.flatMap((row, r) => {
    const children = isObject(row) ? asArray(row.components) : [];
    if (children.length > LIMITS.rowComponents) {
      return [maxLength(['components', String(r), 'components'], LIMITS.rowComponents)];
    }
    return children.flatMap((child, c) =>
      buttonErrors(child, ['components', String(r), 'components', String(c)]),
    );
  });
}

/** Checks the fields of a message create/edit body, throwing 50035 with every invalid field. */
export function checkMessageFields(body: Json): void {
  const found: ErrorTree[] = [];
  if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') {
    found.push(fieldError(['content'], 'BASE_TYPE_STRING', 'Could not interpret value as string.'));
  }
  if (textLength(body.content) > LIMITS.content) found.push(maxLength(['content'], LIMITS.content));
  const embeds = asArray(body.embeds);
  if (embeds.length > LIMITS.embeds) found.push(maxLength(['embeds'], LIMITS.embeds));
  embeds.forEach((embed, i) => {
    found.push(...embedErrors(embed, i));
  });
  found.push(
    ...componentErrors(asArray(body.components), typeof body.flags === 'number' ? body.flags : 0),
  );
  const error = invalidFormBody(found);
  if (error) throw error;
}

/** True when a message would show nothing: Discord rejects it with 50006. */
export function isEmptyMessage(message: {
  content: string;
  embeds: readonly unknown[];
  attachments: readonly unknown[];
  components: readonly unknown[];
  flags: number;
  stickers?: readonly unknown[];
}): boolean {
  const hasV2Components = (message.flags & IS_COMPONENTS_V2) !== 0 && message.components.length > 0;
  return (
    message.content.trim() === '' &&
    message.embeds.length === 0 &&
    message.attachments.length === 0 &&
    (message.stickers ?? []).length === 0 &&
    !hasV2Components
  );
}

/** A thread's name (1–100 chars, required) and auto-archive duration. */
export function checkThreadBody(body: Json): void {
  const found: ErrorTree[] = [];
  if (typeof body.name !== 'string') found.push(required(['name']));
  else if (body.name.length < 1 || body.name.length > LIMITS.threadName) {
    found.push(badLength(['name'], 1, LIMITS.threadName));
  }
  const duration = body.auto_archive_duration;
  if (duration !== undefined && !AUTO_ARCHIVE_DURATIONS.some((d) => d === duration)) {
    found.push(
      fieldError(
        ['auto_archive_duration'],
        'BASE_TYPE_CHOICES',
        'Value must be one of {60, 1440, 4320, 10080}.',
      ),
    );
  }
  const error = invalidFormBody(found);
  if (error) throw error;
}

/** A webhook name or an execute `username`: 1–80 chars, without "clyde" or "discord". */
export function webhookNameErrors(value: unknown, field: string, isRequired: boolean): ErrorTree[] {
  if (value === undefined || value === null) return isRequired ? [required([field])] : [];
  if (typeof value !== 'string' || value.length < 1 || value.length > LIMITS.webhookName) {
    return [badLength([field], 1, LIMITS.webhookName)];
  }
  const word = FORBIDDEN_WEBHOOK_WORDS.find((w) => value.toLowerCase().includes(w));
  return word
    ? [fieldError([field], 'USERNAME_INVALID_CONTAINS', `Username cannot contain "${word}"`)]
    : [];
}

function nameAndDescriptionErrors(
  item: Json,
  path: string[],
  needsDescription: boolean,
): ErrorTree[] {
  const found: ErrorTree[] = [];
  const name = item.name;
  if (typeof name !== 'string') found.push(required([...path, 'name']));
  else if (!COMMAND_NAME_PATTERN.test(name) || (needsDescription && name !== name.toLowerCase())) {
    found.push(
      fieldError([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid'),
    );
  }
  const length = textLength(item.description);
  if (
    needsDescription &&
    (typeof item.description !== 'string' || length < 1 || length > LIMITS.commandDescription)
  ) {
    found.push(badLength([...path, 'description'], 1, LIMITS.commandDescription));
  }
  return found;
}

function optionErrors(options: unknown[], path: string[]): ErrorTree[] {
  if (options.length > LIMITS.commandOptions)
    return [maxLength([...path, 'options'], LIMITS.commandOptions)];
  const found: ErrorTree[] = [];
  let sawOptional = false;
  options.forEach((option, i) => {
    const at = [...path, 'options', String(i)];
    if (!isObject(option)) return;
    found.push(...nameAndDescriptionErrors(option, at, true));
    if (option.required === true && sawOptional) {
      found.push(
        fieldError(
          at,
          'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
          'Required options must be placed before non-required options',
        ),
      );
    }
    sawOptional ||= option.required !== true;
    if (option.type === 1 || option.type === 2)
      found.push(...optionErrors(asArray(option.options), at));
  });
  return found;
}

/** A bulk-overwrite body: at most 100 commands, valid names/descriptions/options, unique names. */
export function checkCommands(body: unknown): Json[] {
  if (!Array.isArray(body)) {
    throw new DiscordHttpError(400, 50035, 'Invalid Form Body', {
      _errors: [{ code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' }],
    });
  }
  const commands = body.filter(isObject);
  const found: ErrorTree[] = [];
  if (commands.length > LIMITS.commands) found.push(maxLength([], LIMITS.commands));
  commands.forEach((command, i) => {
    const isChatInput = (command.type ?? 1) === 1;
    found.push(...nameAndDescriptionErrors(command, [String(i)], isChatInput));
    found.push(...optionErrors(asArray(command.options), [String(i)]));
  });
  const keys = commands.map((c) => `${String(c.type ?? 1)}:${String(c.name)}`);
  if (new Set(keys).size !== keys.length) {
    found.push({
      _errors: [
        {
          code: 'APPLICATION_COMMANDS_DUPLICATE_NAME',
          message: 'Application command names must be unique',
        },
      ],
    });
  }
  const error = invalidFormBody(found);
  if (error) throw error;
  return commands;
}
