import { EmailLayout, emailTemplate } from './email-template.tsx';

export interface TestMessageProps {
  serviceName: string;
  /** Who asked for the test, as they should be named in it. */
  requestedBy: string;
  /** A note typed by whoever sent the test: shown as text, never as markup. */
  note?: string;
}

/** A message that only proves mail gets through: the operator's "send a test email". */
export const testMessageEmail = emailTemplate<TestMessageProps>({
  name: 'test-message',
  subject: (props) => `Test message from the ${props.serviceName}`,
  text: (props) =>
    [
      'Hello,',
      '',
      `This is a test message from the ${props.serviceName}, sent at the request of ${props.requestedBy}.`,
      ...(props.note ? ['', `Note: ${props.note}`] : []),
      '',
      'If you received it, email from the gateway is being delivered. You do not need to do anything.',
    ].join('\n'),
  html: (props) => (
    <EmailLayout title="Test message" serviceName={props.serviceName}>
      <h1 style="font-size:1.4rem">Test message</h1>
      <p>
        This is a test message from the {props.serviceName}, sent at the request of {props.requestedBy}.
      </p>
      {props.note ? (
        <p>
          <strong>Note:</strong> {props.note}
        </p>
      ) : null}
      <p>If you received it, email from the gateway is being delivered. You do not need to do anything.</p>
    </EmailLayout>
  ),
});
