"""Views that mix the host's writes with teamaccess commands."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import JsonResponse
from rest_framework.response import Response
from rest_framework.views import APIView

from shipping.models import Shipment
from teamaccess.contrib.django.conf import service
from teamaccess.contrib.django.drf import TeamAccessPermission
from teamaccess.contrib.django.views import requires
from teamaccess.errors import StorageError


def _actor(request):
    return str(get_user_model().objects.get(username=request.headers["X-User"]).pk)


def book(request, company_id):
    """Book a shipment and add the carrier as a member, in one transaction."""
    with transaction.atomic():
        Shipment.objects.create(company_id=company_id, title=request.GET["title"])
        carrier = str(get_user_model().objects.get(username=request.GET["carrier"]).pk)
        service().members.add(_actor(request), company_id, carrier)  # a SAVEPOINT in it
        if request.GET.get("fail"):
            raise RuntimeError("the carrier's system said no")  # both roll back
    return JsonResponse({"shipments": Shipment.objects.filter(company_id=company_id).count()})


def _board_company(request, company_id):
    return company_id


@requires("view_members", company=_board_company)
def board(request, company_id):
    """A page for members only."""
    return JsonResponse({"company": company_id})


class Members(APIView):
    """The members of a company, for its members (DRF)."""

    permission_classes = [TeamAccessPermission]
    teamaccess_action = "view_members"

    def get(self, request, company_id):
        """The member ids."""
        members = service().members.list(_actor(request), company_id)
        return Response([m.user_id for m in members])


LEAKY = 'postgresql: relation "ta_invitations" does not exist LINE 2: SELECT ta_invitations.id'


def broken(request):
    """A view whose storage fails with the driver's text (ProblemMiddleware answers)."""
    raise StorageError(LEAKY)


class Broken(APIView):
    """The same failure in a DRF view (the exception handler answers)."""

    def get(self, request):
        """Fail."""
        raise StorageError(LEAKY)
