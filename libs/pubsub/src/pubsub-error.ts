/**
 * The one error class the library throws, for start-up and programming errors (publish-time input never
 * throws: it gets a PublishResult). `code` lets callers and tests tell the kinds apart without parsing text;
 * the text itself always comes from error-messages.ts.
 */
export type PubSubErrorCode =
  | 'invalid_option'
  | 'invalid_pattern'
  | 'invalid_subscribe_options'
  | 'invalid_handler'
  | 'unknown_channel'
  | 'channel_closed'
  | 'handler_binding'
  | 'missing_peer'
  | 'missing_module'
  | 'transport'
  | 'invalid_argument'
  | 'wait_timeout';

export class PubSubError extends Error {
  override readonly name = 'PubSubError';

  constructor(
    readonly code: PubSubErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
