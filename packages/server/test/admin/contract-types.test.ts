// The admin service's views are the API's wire shapes: each equals the Static type of its schema (or,
// where a route adds members or the view is narrower, is that type without them), so a field added to
// one and not the other fails the type-check (tsconfig.test.json).
import type { Static } from '@sinclair/typebox';
import { describe, expectTypeOf, it } from 'vitest';
import type * as S from '../../src/admin/api/schemas.js';
import type {
  AccessKeyView,
  ActivityView,
  ApplicationView,
  AreaView,
  GrantView,
  SessionView,
  SigningKeyView,
  TenantView,
  UserView,
} from '../../src/admin/service/admin.js';

describe('the admin views and the wire schemas', () => {
  it('are the same types', () => {
    expectTypeOf<TenantView>().toEqualTypeOf<Static<typeof S.Tenant>>();
    expectTypeOf<UserView>().toEqualTypeOf<Static<typeof S.User>>();
    expectTypeOf<GrantView>().toEqualTypeOf<Static<typeof S.Grant>>();
    expectTypeOf<AreaView>().toEqualTypeOf<Static<typeof S.Area>>();
    expectTypeOf<ActivityView>().toEqualTypeOf<Static<typeof S.Stats>>();
  });

  it('are the wire shapes less what the routes add', () => {
    // `active` is the route's reading of `status`; the names are the caller's to see or not.
    expectTypeOf<AccessKeyView>().toEqualTypeOf<Omit<Static<typeof S.AccessKey>, 'active'>>();
    expectTypeOf<SessionView>().toEqualTypeOf<Omit<Static<typeof S.Session>, 'user_email' | 'app_name'>>();
    // Narrower where the service knows more (a grant type's name, a signing algorithm): each view is
    // assignable to its wire shape, with the same members.
    expectTypeOf<ApplicationView>().toMatchTypeOf<Omit<Static<typeof S.Application>, 'active'>>();
    expectTypeOf<keyof ApplicationView>().toEqualTypeOf<
      Exclude<keyof Static<typeof S.Application>, 'active'>
    >();
    expectTypeOf<SigningKeyView>().toMatchTypeOf<Static<typeof S.SigningKey>>();
    expectTypeOf<keyof SigningKeyView>().toEqualTypeOf<keyof Static<typeof S.SigningKey>>();
  });
});
