from django.http import JsonResponse
from rest_framework import generics, serializers

from .models import Item
from .tasks import touch_item


def hello(request):
    return JsonResponse({"ok": True})


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "touched", "created_at"]


class ItemList(generics.ListAPIView):
    serializer_class = ItemSerializer

    def get_queryset(self):
        return Item.objects.order_by("-created_at")[:20]


class ItemCreate(generics.CreateAPIView):
    serializer_class = ItemSerializer

    def perform_create(self, serializer):
        item = serializer.save()
        touch_item.delay_on_commit(item.pk)
