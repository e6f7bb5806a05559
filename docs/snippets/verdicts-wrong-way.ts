/** Your code. */
declare function currentUserId(request: express.Request): string;
declare function markVerified(userId: string): Promise<void>;
// docs: shown from here
import express from 'express';
import { getSessionResult } from 'biometric-flow/server';

const app = express();
// DON'T: the session id comes from the page, and nothing says whose session it is.
app.post('/api/me/verified', express.json(), async (req, res) => {
  const { status, result } = await getSessionResult({ apiKey: process.env.BIOMETRIC_API_KEY! }, req.body.session_id);
  if (status === 'FINISHED' && result?.flow_session_result === true) await markVerified(currentUserId(req));
  res.sendStatus(204);
});
