import type { MessageError } from './types';

/**
 * Meta's delivery failure codes in words an agent can act on. The Cloud API
 * reports failures as a code and a terse title ("Re-engagement message");
 * these say what happened and what to do next.
 */
const REASONS: Record<number, string> = {
  131047: 'More than 24 hours have passed since the customer last wrote. Send an approved template to reopen the conversation.',
  131026: 'The message could not be delivered: the number may not be on WhatsApp, or the customer uses an old app version or has not accepted the latest terms.',
  131051: 'WhatsApp does not support this message type.',
  130429: 'Too many messages were sent from this number at once. It will be retried; slow down bulk sends.',
  131048: 'Spam rate limit hit: too many customers blocked or reported this number recently. Sends are restricted for now.',
  131049: 'Meta did not deliver this marketing message to keep the customer’s experience healthy. Try again later or another way.',
  131050: 'The customer has stopped marketing messages from this business.',
  131052: 'The customer’s media could not be downloaded.',
  131053: 'The media could not be uploaded: check its type and size.',
  131056: 'Too many messages to this customer in a short time. Wait a moment before sending again.',
  131042: 'The message could not be sent because of a payment issue on the WhatsApp Business account.',
  131031: 'The WhatsApp Business account is locked or restricted by Meta.',
  131021: 'The recipient is this business’s own number.',
  131045: 'The business phone number is not registered with WhatsApp.',
  131000: 'Something went wrong at WhatsApp. Try again.',
  131005: 'This app lacks the permission to send from this number.',
  131008: 'A required parameter is missing.',
  131009: 'A parameter value is not valid.',
  131016: 'WhatsApp is temporarily unavailable. It will be retried.',
  132000: 'The template’s variables do not match: the number of values differs from the template’s placeholders.',
  132001: 'The template does not exist in this language, or is not approved yet.',
  132005: 'The template text is too long once the variables are filled in.',
  132007: 'The template’s content breaks WhatsApp’s policy.',
  132012: 'A template variable has the wrong format.',
  132015: 'The template is paused because of low quality. Choose another template.',
  132016: 'The template is disabled. Choose another template.',
  133010: 'The business phone number is not registered.',
  368: 'The business account is temporarily blocked for policy violations.',
  470: 'More than 24 hours have passed since the customer last wrote. Send an approved template instead.',
  1: 'Something went wrong at WhatsApp. Try again.',
  2: 'WhatsApp is temporarily unavailable. It will be retried.',
  4: 'Too many requests to WhatsApp right now. It will be retried.',
  80007: 'The WhatsApp Business account hit its rate limit. Sends will resume shortly.',
};

/** The plain sentence for a failed message: the mapped reason, else Meta's own words. */
export function failureReason(err: MessageError | undefined | null): string {
  if (!err) return 'The message could not be sent.';
  const known = REASONS[err.code];
  if (known) return known;
  const words = err.details || err.message || err.title;
  return words ? `${words}${/[.!?]$/.test(words) ? '' : '.'}` : `WhatsApp refused the message (error ${err.code}).`;
}
