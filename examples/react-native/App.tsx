import { useCallback, useEffect, useRef, useState } from 'react';
import { ActivityIndicator, BackHandler, Button, Linking, PermissionsAndroid, Platform, StyleSheet, Text } from 'react-native';
import { WebView } from 'react-native-webview';
// Inside your app's SafeAreaProvider (react-native's own SafeAreaView is deprecated).
import { SafeAreaView } from 'react-native-safe-area-context';
import { decideNavigation, flowPlaces, parseFlowSession, verdictOf, type FlowSession, type Verdict } from './flow-links';

/** Your backend: biometric-flow/server's session and status handlers, behind your app's own sign-in. */
const BACKEND = 'https://api.bank.example';

type Step =
  | { name: 'starting' }
  | { name: 'flow'; session: FlowSession }
  | { name: 'checking' }
  | { name: 'done'; verdict: Verdict }
  | { name: 'no-camera' }
  | { name: 'expired' }
  | { name: 'error'; message: string };

export interface VerifyIdentityProps {
  /** The signed-in user's token for your backend: it decides who may start a (billed) verification. */
  accessToken: string;
  locale: 'ru' | 'kk' | 'en';
  /** Called once: the verdict your backend gave, or `cancelled` when the user left. */
  onDone(outcome: Verdict | 'cancelled'): void;
}

/** The camera is asked for before a session exists: a refusal costs no session. */
async function cameraAllowed(): Promise<boolean> {
  if (Platform.OS !== 'android') return true; // iOS asks by itself, with NSCameraUsageDescription
  const granted = await PermissionsAndroid.requestMultiple([PermissionsAndroid.PERMISSIONS.CAMERA, PermissionsAndroid.PERMISSIONS.RECORD_AUDIO]);
  return granted[PermissionsAndroid.PERMISSIONS.CAMERA] === PermissionsAndroid.RESULTS.GRANTED;
}

async function createSession(accessToken: string, locale: VerifyIdentityProps['locale']): Promise<FlowSession> {
  const response = await fetch(`${BACKEND}/api/biometric/session`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ locale }),
  });
  if (!response.ok) throw new Error(`The session could not be created (${response.status})`);
  return parseFlowSession(await response.json());
}

/** Asks your backend until it knows: the vendor's result lags the flow's end by a few seconds. */
async function askVerdict(accessToken: string, session: FlowSession): Promise<Verdict> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await fetch(`${BACKEND}/api/biometric/status?session_id=${encodeURIComponent(session.session_id)}`, {
      headers: { Authorization: `Bearer ${accessToken}`, 'Biometric-Status-Token': session.status_token },
    });
    if (response.ok) {
      const verdict = verdictOf(await response.json());
      if (verdict !== 'pending') return verdict;
    }
    await new Promise<void>((resolve) => setTimeout(() => resolve(), 3000));
  }
  return 'pending'; // your backend goes on asking (the verdict ledger does); say "we are checking"
}

export function VerifyIdentity({ accessToken, locale, onDone }: VerifyIdentityProps) {
  const [step, setStep] = useState<Step>({ name: 'starting' });
  const ended = useRef(false);

  const start = useCallback(async () => {
    ended.current = false;
    setStep({ name: 'starting' });
    try {
      if (!(await cameraAllowed())) return setStep({ name: 'no-camera' });
      setStep({ name: 'flow', session: await createSession(accessToken, locale) });
    } catch (error) {
      setStep({ name: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  }, [accessToken, locale]);

  useEffect(() => {
    void start();
  }, [start]);

  const cancel = useCallback(() => {
    if (ended.current) return;
    ended.current = true;
    onDone('cancelled'); // the session is left to expire; your backend records it so
  }, [onDone]);

  // Android's back button leaves the flow: a cancel, not a verdict.
  useEffect(() => {
    const subscription = BackHandler.addEventListener('hardwareBackPress', () => {
      cancel();
      return true;
    });
    return () => subscription.remove();
  }, [cancel]);

  // A session is single-use and short-lived: past expires_at (the app left in the background), a new one.
  useEffect(() => {
    if (step.name !== 'flow') return;
    const timer = setTimeout(() => setStep({ name: 'expired' }), Math.max(0, Date.parse(step.session.expires_at) - Date.now()));
    return () => clearTimeout(timer);
  }, [step]);

  const finished = useCallback(
    async (session: FlowSession) => {
      if (ended.current) return;
      ended.current = true;
      setStep({ name: 'checking' });
      const verdict = await askVerdict(accessToken, session).catch((): Verdict => 'pending');
      setStep({ name: 'done', verdict });
      onDone(verdict);
    },
    [accessToken, onDone],
  );

  if (step.name === 'flow') {
    const { session } = step;
    const places = flowPlaces(session.flow_url);
    return (
      <SafeAreaView style={styles.fill}>
        <WebView
          source={{ uri: session.flow_url }}
          style={styles.fill}
          originWhitelist={['*']}
          onShouldStartLoadWithRequest={(request) => {
            if (!request.isTopFrame) return true;
            const decision = decideNavigation(request.url, places);
            if (decision === 'finished') void finished(session);
            if (decision === 'system') void Linking.openURL(request.url).catch(() => undefined);
            return decision === 'load';
          }}
          mediaCapturePermissionGrantType="grantIfSameHostElseDeny"
          allowsInlineMediaPlayback
          mediaPlaybackRequiresUserAction={false}
          setSupportMultipleWindows={false}
          onError={() => setStep({ name: 'error', message: 'The verification page could not be loaded' })}
        />
        <Button title="Cancel" onPress={cancel} />
      </SafeAreaView>
    );
  }
  return (
    <SafeAreaView style={[styles.fill, styles.centre]}>
      {step.name === 'starting' || step.name === 'checking' ? <ActivityIndicator /> : null}
      {step.name === 'checking' ? <Text>Checking your result…</Text> : null}
      {step.name === 'done' ? <Text>{TEXT[step.verdict]}</Text> : null}
      {step.name === 'no-camera' ? <Text>Allow the camera in Settings to verify your identity.</Text> : null}
      {step.name === 'no-camera' ? <Button title="Open Settings" onPress={() => void Linking.openSettings()} /> : null}
      {step.name === 'error' ? <Text>{step.message}</Text> : null}
      {step.name === 'expired' ? <Text>This verification has expired.</Text> : null}
      {step.name === 'error' || step.name === 'no-camera' || step.name === 'expired' || (step.name === 'done' && step.verdict === 'failed') ? (
        <Button title="Try again" onPress={() => void start()} />
      ) : null}
    </SafeAreaView>
  );
}

const TEXT: Record<Verdict, string> = {
  passed: 'Your identity is verified.',
  failed: 'The verification did not pass.',
  pending: 'We are checking your result and will let you know.',
};

const styles = StyleSheet.create({
  fill: { flex: 1 },
  centre: { alignItems: 'center', justifyContent: 'center', gap: 12, padding: 24 },
});
