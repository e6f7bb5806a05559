import { FlowError } from './errors.js';

interface PolicyView {
  allowsFeature(feature: string, origin?: string): boolean;
}

/**
 * Whether this document may use the camera, where the browser can tell; `undefined` where it cannot
 * (Firefox and Safari have neither API). Asks about this document only: a frame can get nothing its page
 * lacks, while asking about the flow's origin answers `false` under the default policy even though
 * `allow="camera"` delegation works.
 */
export function documentAllowsCamera(doc: Document): boolean | undefined {
  const view = doc as Document & { permissionsPolicy?: PolicyView; featurePolicy?: PolicyView };
  const policy = view.permissionsPolicy ?? view.featurePolicy;
  if (!policy || typeof policy.allowsFeature !== 'function') return undefined;
  try {
    return policy.allowsFeature('camera');
  } catch {
    return undefined;
  }
}

/**
 * Whether a `securitypolicyviolation` is the page's Content-Security-Policy refusing a frame of `origin`:
 * reported as frame-src by Chromium, Firefox and WebKit when child-src or default-src refuses it too; its
 * blockedURI is a URL then (only the origin, for a cross-origin frame).
 */
export function refusesFrame(event: SecurityPolicyViolationEvent, origin: string): boolean {
  return event.effectiveDirective === 'frame-src' && new URL(event.blockedURI).origin === origin;
}

/** What must hold before any request is made. */
export function preflight(win: Window & typeof globalThis): FlowError | undefined {
  if (!win.isSecureContext) {
    return new FlowError('insecure-context', 'The page is not a secure context: the camera needs https: (or a loopback host)');
  }
  if (documentAllowsCamera(win.document) === false) {
    return new FlowError(
      'camera-blocked-by-policy',
      "This page's Permissions-Policy forbids the camera, so a frame in it cannot use one",
    );
  }
  return undefined;
}
