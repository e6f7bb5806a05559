// The retry policy of a host's error answer: codes after which a new start cannot help.
/**
 * The host's error codes after which trying again cannot help, whatever the HTTP status (the vendor's
 * errors come as 502): the same person's data, the site's configuration.
 */
const NO_RETRY = new Set(
  'forbidden forbidden-origin status-token-invalid configuration-error subscription-inactive invalid-iin subject-not-found profile-not-found'.split(' '),
);

/** `false` when the host's code says a retry cannot help; `undefined` leaves it to the code and status. */
export function retryable(serverCode: string | undefined): false | undefined {
  return NO_RETRY.has(serverCode!) ? false : undefined;
}
