// Okta's provisioning requests, in the order and the shape its SCIM 2.0 protocol reference shows them
// (developer.okta.com, "SCIM 2.0 protocol reference": create, read, update and deactivate users; push
// groups and their members).
import { q, type ReplayStep } from './replay.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export const OKTA_USER_SEQUENCE: readonly ReplayStep[] = [
  {
    name: 'Determine if the user already exists',
    method: 'GET',
    path: `/Users?filter=${q('userName eq "test.user@okta.local"')}&startIndex=1&count=100`,
    status: 200,
    response: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      startIndex: 1,
      Resources: [],
    },
  },
  {
    name: 'Create the user',
    method: 'POST',
    path: '/Users',
    body: {
      schemas: [USER],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    },
    status: 201,
    response: {
      schemas: [USER],
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
      meta: { resourceType: 'User' },
    },
    save: { user: 'id' },
    user: { id: 'user', status: 'active', role: 'Agent' },
  },
  {
    name: 'Retrieve a specific user',
    method: 'GET',
    path: '/Users/{{user}}',
    status: 200,
    response: { id: '{{user}}', userName: 'test.user@okta.local', active: true },
  },
  {
    name: 'Retrieve users (paged)',
    method: 'GET',
    path: '/Users?startIndex=1&count=2',
    status: 200,
    response: { totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id: '{{user}}' }] },
  },
  {
    name: 'Retrieve the user by userName',
    method: 'GET',
    path: `/Users?filter=${q('userName eq "test.user@okta.local"')}&startIndex=1&count=100`,
    status: 200,
    response: { totalResults: 1, Resources: [{ id: '{{user}}' }] },
  },
  {
    name: 'Update a specific user (PUT)',
    method: 'PUT',
    path: '/Users/{{user}}',
    body: {
      schemas: [USER],
      id: '{{user}}',
      userName: 'test.user@okta.local',
      name: { givenName: 'Another', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Another User',
      locale: 'en-US',
      groups: [],
      password: '1mz050nq',
      active: true,
      meta: { resourceType: 'User' },
    },
    status: 200,
    response: {
      id: '{{user}}',
      name: { givenName: 'Another', familyName: 'User' },
      displayName: 'Another User',
    },
  },
  {
    name: 'Deactivate the user',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] },
    status: 200,
    response: { id: '{{user}}', active: false },
    user: { id: 'user', status: 'inactive' },
  },
  {
    name: 'Reactivate the user',
    method: 'PATCH',
    path: '/Users/{{user}}',
    body: { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] },
    status: 200,
    response: { active: true },
    user: { id: 'user', status: 'active' },
  },
];

export const OKTA_GROUP_SEQUENCE: readonly ReplayStep[] = [
  {
    name: '(a user to be pushed into the group)',
    method: 'POST',
    path: '/Users',
    body: { schemas: [USER], userName: 'member@okta.local', active: true },
    status: 201,
    save: { member: 'id' },
  },
  {
    name: 'Determine if the group already exists',
    method: 'GET',
    path: `/Groups?filter=${q('displayName eq "Test SCIMv2"')}&startIndex=1&count=100`,
    status: 200,
    response: { totalResults: 0, Resources: [] },
  },
  {
    name: 'Create the group',
    method: 'POST',
    path: '/Groups',
    body: { schemas: [GROUP], displayName: 'Test SCIMv2', members: [] },
    status: 201,
    response: { schemas: [GROUP], displayName: 'Test SCIMv2', members: [], meta: { resourceType: 'Group' } },
    save: { group: 'id' },
  },
  {
    name: 'Retrieve a specific group',
    method: 'GET',
    path: '/Groups/{{group}}',
    status: 200,
    response: { id: '{{group}}', displayName: 'Test SCIMv2' },
  },
  {
    name: 'Update the group name',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { id: '{{group}}', displayName: 'Agent' } }],
    },
    status: 200,
    response: { displayName: 'Agent' },
  },
  {
    name: 'Add a member',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'add', path: 'members', value: [{ value: '{{member}}', display: 'member@okta.local' }] },
      ],
    },
    status: 200,
    response: { members: [{ value: '{{member}}' }] },
    user: { id: 'member', role: 'Agent' },
  },
  {
    name: 'Rename the group to a role: its members get it',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { id: '{{group}}', displayName: 'Administrator' } }],
    },
    status: 200,
    user: { id: 'member', role: 'Administrator' },
  },
  {
    name: 'Remove a member',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: { schemas: [PATCH], Operations: [{ op: 'remove', path: 'members[value eq "{{member}}"]' }] },
    status: 200,
    user: { id: 'member', role: 'Agent' },
  },
  {
    name: 'Replace the members',
    method: 'PATCH',
    path: '/Groups/{{group}}',
    body: {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'members', value: [{ value: '{{member}}', display: 'member@okta.local' }] },
      ],
    },
    status: 200,
    response: { members: [{ value: '{{member}}' }] },
    user: { id: 'member', role: 'Administrator' },
  },
  {
    name: 'Replace the group (PUT)',
    method: 'PUT',
    path: '/Groups/{{group}}',
    body: { schemas: [GROUP], id: '{{group}}', displayName: 'Test SCIMv2', members: [] },
    status: 200,
    response: { displayName: 'Test SCIMv2' },
    user: { id: 'member', role: 'Agent' },
  },
  { name: 'Delete the group', method: 'DELETE', path: '/Groups/{{group}}', status: 204 },
];
