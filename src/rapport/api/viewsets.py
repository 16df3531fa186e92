"""The shape every resource shares: reads from a selector, writes through a service, one transaction each.

A resource declares an output serializer (``serializer_class``), input serializers for create and update,
and three hooks that call the domain services. Input is validated first; the service then runs in one
transaction, so a write that fails half way leaves nothing behind. The answer is rendered by the output
serializer from the row as the caller now sees it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction
from drf_spectacular.openapi import AutoSchema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

WRITE_ACTIONS = frozenset({"create", "update", "partial_update"})


class ServiceAutoSchema(AutoSchema):
    """Documents writes as "input serializer in, output serializer out", tagged by resource."""

    def get_tags(self) -> list[str]:
        basename = getattr(self.view, "basename", None)
        return [f"{basename}s"] if basename else super().get_tags()

    def get_response_serializers(self) -> Any:
        output = getattr(self.view, "serializer_class", None)
        if getattr(self.view, "action", None) in WRITE_ACTIONS and output is not None:
            return output
        return super().get_response_serializers()


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, retrieve, create, update and delete over a selector and the domain services."""

    schema = ServiceAutoSchema()
    create_serializer_class: ClassVar[type[serializers.BaseSerializer] | None] = None
    update_serializer_class: ClassVar[type[serializers.BaseSerializer] | None] = None
    ordering_fields: ClassVar[list[str]] = ["id"]
    ordering: ClassVar[str] = "-id"

    def get_serializer_class(self) -> Any:
        if self.action == "create" and self.create_serializer_class is not None:
            return self.create_serializer_class
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return super().get_serializer_class()

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        instance = args[0] if args else kwargs.get("instance")
        if self.action in WRITE_ACTIONS and instance is not None and "data" not in kwargs:
            # Only the browsable API asks for a write serializer with a record and no data, to pre-fill its
            # form: input serializers cannot render a record, so show the record as it reads.
            kwargs.setdefault("context", self.get_serializer_context())
            return self.serializer_class(*args, **kwargs)  # type: ignore[misc]
        return super().get_serializer(*args, **kwargs)

    # --- hooks: call the domain services ----------------------------------------------------------------
    def create_object(self, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def update_object(self, instance: Any, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def delete_object(self, instance: Any) -> None:
        raise NotImplementedError

    # --- the HTTP side ----------------------------------------------------------------------------------
    def render(self, instance: models.Model) -> Any:
        """The output for ``instance``, re-read through the selector so that related rows are prefetched.

        A writer may hand a record to someone else and so no longer see it; it still gets its answer.
        """
        fresh = self.get_queryset().filter(pk=instance.pk).first() or instance
        return self.serializer_class(fresh, context=self.get_serializer_context()).data  # type: ignore[misc]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.create_object(dict(serializer.validated_data))
        return Response(self.render(instance), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.update_object(instance, dict(serializer.validated_data))
        return Response(self.render(instance))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        with transaction.atomic():
            self.delete_object(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
