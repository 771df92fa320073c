import { describe, expect, it } from 'vitest';
import { orderPeopleToTell, whoWasTold } from './order-people.ts';

const person = (id: number, current = true) => ({ id, email: `p${id}@cam.ac.uk`, current });
const order = (buyer: ReturnType<typeof person>, owner: ReturnType<typeof person>) => ({
  buyer,
  licence: { owner },
});

describe('who an order’s emails reach, and what the staff are told', () => {
  it('tells the buyer and the Data Owner who are current, each once', () => {
    expect(orderPeopleToTell(order(person(1), person(2))).map((p) => p.id)).toEqual([1, 2]);
    expect(orderPeopleToTell(order(person(1), person(1))).map((p) => p.id)).toEqual([1]);
    expect(orderPeopleToTell(order(person(1, false), person(2))).map((p) => p.id)).toEqual([2]);
    expect(orderPeopleToTell(order(person(1), person(2, false))).map((p) => p.id)).toEqual([1]);
    expect(orderPeopleToTell(order(person(1, false), person(2, false)))).toEqual([]);
  });

  it('says who was told and who had left, in each case', () => {
    const told = 'told by email';
    expect(whoWasTold(order(person(1), person(2)), told)).toBe('The buyer and the Data Owner have been told by email.');
    expect(whoWasTold(order(person(1), person(2, false)), told)).toBe(
      'The buyer has been told by email; the Data Owner has left the University, so was not.',
    );
    expect(whoWasTold(order(person(1, false), person(2)), told)).toBe(
      'The Data Owner has been told by email; the buyer has left the University, so was not.',
    );
    expect(whoWasTold(order(person(1, false), person(2, false)), told)).toBe(
      'Nobody could be told by email: the buyer and the Data Owner have both left the University.',
    );
    expect(whoWasTold(order(person(1), person(1)), told)).toBe(
      'The buyer, who is also the Data Owner, has been told by email.',
    );
    expect(whoWasTold(order(person(1, false), person(1, false)), told)).toBe(
      'Nobody could be told by email: the buyer, who is also the Data Owner, has left the University.',
    );
  });
});
