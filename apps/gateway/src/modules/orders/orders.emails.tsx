import { type NoticeEmailProps, noticeEmail } from '../../platform/mail/notice-email.tsx';

/** Everything that happens to an order: what happened, what it means, and a link to the order. */
export interface OrderEmailProps extends NoticeEmailProps {
  reference: string;
  /** e.g. "Order ORD-000012 received". */
  headline: string;
  orderUrl: string;
}

export const orderEmail = noticeEmail<OrderEmailProps>('order-update', (props) => [
  { url: props.orderUrl, textLabel: 'See the order', htmlLabel: `See order ${props.reference}` },
]);
