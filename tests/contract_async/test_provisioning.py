"""Two tests of ``teamaccess.testing.contract.provisioning``, through AsyncTeamAccess.

They prove R-PROV-1 on the async drivers: a SCIM request's commands (register, add,
add a role, record) join one transaction inside the greenlet bridge too. The whole
module runs on the synchronous stores in tests/contract/test_provisioning.py.
"""

from teamaccess.testing.contract.provisioning import (  # noqa: F401 - collected here
    directory_ta,
    test_r_prov_1_groups_named_after_a_role_grant_it_and_others_wait_to_be_mapped,
    test_r_prov_1_the_directory_creates_members_and_keeps_external_ids,
)
